import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger';
import { registry } from './metrics';

/**
 * Probe endpoints for the roles that serve no HTTP of their own (worker, bridge), with the API's answers:
 * `/healthz` — the process and its event loop respond (liveness); `/readyz` — every check passes (readiness),
 * else 503 naming the failing ones. Checks are synchronous state reads, so a probe never waits on the network.
 * Also `/metrics` (Prometheus) of this process.
 */
export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

export type HealthChecks = () => Record<string, boolean>;

export async function startHealthServer(opts: { port: number; host?: string; checks: HealthChecks; logger: Logger }): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://probe.invalid').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, { error: 'method_not_allowed' });
    if (path === '/healthz') return reply(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(text);
      });
      return;
    }
    if (path === '/readyz') {
      let checks: Record<string, boolean>;
      try {
        checks = opts.checks();
      } catch (err) {
        opts.logger.warn({ err: (err as Error).message }, 'readiness check failed');
        return reply(res, 503, { error: 'not_ready', message: 'Not ready: the readiness check failed.' });
      }
      const down = Object.keys(checks).filter((name) => !checks[name]);
      if (down.length === 0) return reply(res, 200, { status: 'ready', checks });
      return reply(res, 503, { error: 'not_ready', message: `Not ready: ${down.join(' and ')} down.`, checks });
    }
    return reply(res, 404, { error: 'not_found' });
  });
  server.keepAliveTimeout = 1_000; // probes open a connection each time; don't hold them
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
