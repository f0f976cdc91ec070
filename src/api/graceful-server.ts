import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How long closing waits for in-flight requests (a callback may be waiting on a confirm) before cutting them. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * The API's way out, in two steps. Draining (from SIGTERM): `/readyz` answers 503 while the server goes on
 * accepting and serving, for the pause the load balancer needs to stop sending traffic here. Closing: the
 * listener stops, long-lived responses (event streams) are ended through `closing` so their browsers reconnect
 * to another replica, requests in flight finish (at most SHUTDOWN_GRACE_MS), and each connection is closed once
 * its response is done instead of being kept alive.
 */
export class GracefulServer {
  readonly #closing = new AbortController();
  #draining = false;
  #closed: Promise<void> | null = null;
  readonly #server = new http.Server();
  readonly #inFlight = new Set<http.ServerResponse>();

  /** True from the start of the drain: readiness reports it. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Aborted when the listener closes. */
  get closing(): AbortSignal {
    return this.#closing.signal;
  }

  /** Serves `app` on `port` (0 = any free one) and answers the port. */
  async listen(app: http.RequestListener, port: number): Promise<number> {
    this.#server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.#inFlight.add(res);
      res.once('close', () => {
        this.#inFlight.delete(res);
        if (this.#closing.signal.aborted) this.#server.closeIdleConnections();
      });
      if (this.#closing.signal.aborted) res.setHeader('connection', 'close');
      app(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** From now on readiness reports 503; everything else is served as before until close(). */
  drain(): void {
    this.#draining = true;
  }

  /** Stops listening and resolves once every request in flight has finished (or was cut off). */
  close(): Promise<void> {
    this.#draining = true;
    this.#closed ??= new Promise((resolve) => {
      const cutOff = setTimeout(() => this.#server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      this.#server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
      // Tell the clients of the requests in flight not to send another on their connection.
      for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
      this.#closing.abort();
      this.#server.closeIdleConnections(); // keep-alive sockets with no request in flight
    });
    return this.#closed;
  }
}
