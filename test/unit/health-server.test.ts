import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { startHealthServer, type HealthServer } from '../../src/shared/health-server';
import { createLogger } from '../../src/shared/logger';

describe('health server (worker and bridge probes)', () => {
  const state = { temporal_worker: false };
  let failing = false;
  let server: HealthServer;
  after(() => server?.close());

  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test('/healthz answers while /readyz waits for every check', async () => {
    server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
      checks: () => {
        if (failing) throw new Error('boom');
        return { ...state };
      },
    });
    assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
    assert.deepEqual(await get('/readyz'), {
      status: 503,
      body: { error: 'not_ready', message: 'Not ready: temporal_worker down.', checks: { temporal_worker: false } },
    });
    state.temporal_worker = true;
    assert.deepEqual(await get('/readyz'), { status: 200, body: { status: 'ready', checks: { temporal_worker: true } } });
  });

  test('a check that throws means not ready, not a crash', async () => {
    failing = true;
    assert.equal((await get('/readyz')).status, 503);
    failing = false;
    assert.equal((await get('/readyz')).status, 200);
  });

  test('/metrics answers Prometheus text', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(await res.text(), /^# HELP cloud_archive_/m);
  });

  test('anything else is 404 / 405', async () => {
    assert.equal((await get('/nothing-here')).status, 404);
    assert.equal((await fetch(`${server.url}/readyz`, { method: 'POST' })).status, 405);
  });
});
