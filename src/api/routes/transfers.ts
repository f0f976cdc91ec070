import { RequestHandler, Router } from 'express';
import { eventStreamsRefused } from '../../shared/metrics';
import type { Logger } from '../../shared/logger';
import { ApiError } from '../errors';
import type { TransferStatusSource } from '../transfers/status-source';
import { clientKey, StreamLimiter, StreamRefusal } from '../transfers/stream-limits';
import type { Snapshot, TransferWatchers } from '../transfers/watchers';
import { statusPage, STATUS_PAGE_SCRIPT } from '../transfers/status-page';

const HEARTBEAT_MS = 15_000;
/** What a refused EventSource client is told to wait (it does not retry by itself after a 429; a page may). */
const REFUSED_RETRY_AFTER_SECONDS = 30;
const NOT_FOUND = { error: 'not_found', message: 'no such transfer' };

export interface EventStreamSettings {
  limiter: StreamLimiter;
  /** A stream is ended after this long; the browser reconnects with Last-Event-ID. */
  maxLifetimeMs: number;
  /** Aborted when the server closes: streams end so their browsers reconnect to another replica. */
  closing: AbortSignal;
}

interface TransferRouteDeps {
  source: TransferStatusSource;
  watchers: TransferWatchers;
  streams: EventStreamSettings;
  /** CORS for the operation and its stream, which the gallery's pages read cross-origin. */
  cors: RequestHandler;
  logger: Logger;
}

/**
 * The client's view of a transfer: the operation (JSON), its live stream (Server-Sent Events), and a small page
 * that shows it. The transfer id in the path is the only credential: unknown ids get a plain 404.
 */
export function transferRoutes(deps: TransferRouteDeps): Router {
  const router = Router();

  router.route('/cloud_archive/transfers/:id').all(deps.cors).get(async (req, res, next) => {
    try {
      const op = await deps.source.get(req.params.id);
      if (!op) return void res.status(404).json(NOT_FOUND);
      res.json(op);
    } catch (err) {
      next(err);
    }
  });

  router.route('/cloud_archive/transfers/:id/events').all(deps.cors).get(eventStream(deps));

  router.get('/cloud_archive/transfers/:id/view', (req, res) => {
    res
      .status(200)
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'",
        'referrer-policy': 'no-referrer',
      })
      .send(statusPage(req.params.id));
  });

  router.get('/cloud_archive/static/transfer-view.js', (_req, res) => {
    res.set({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300' }).send(STATUS_PAGE_SCRIPT);
  });

  return router;
}

/**
 * `…/events`: the operation whenever it changes, until it is done — or until the stream's lifetime is over, so no
 * connection stays for the hours a transfer runs; the browser's EventSource then reconnects after `retry` with
 * Last-Event-ID and is sent only what changed. Streams are capped per client and per process.
 */
function eventStream({ watchers, streams }: TransferRouteDeps): RequestHandler<{ id: string }> {
  return (req, res, next) => {
    const slot = streams.limiter.acquire(clientKey(req.ip));
    if ('refused' in slot) {
      eventStreamsRefused.inc({ cap: slot.refused });
      res.set('retry-after', String(REFUSED_RETRY_AFTER_SECONDS));
      return next(refusal(slot.refused, streams.limiter));
    }
    const lastSeen = Number(req.get('last-event-id') ?? NaN);
    let opened = false;
    let closed = false;
    let unsubscribe = () => {};
    const open = () => {
      opened = true;
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      res.flushHeaders();
      res.write('retry: 2000\n\n');
    };
    const close = () => {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(lifetime);
      streams.closing.removeEventListener('abort', hangUp);
      unsubscribe();
      slot.release();
    };
    const end = () => {
      close();
      res.end();
    };
    const write = (snapshot: Snapshot | null) => {
      if (snapshot === null) return opened ? end() : void res.status(404).json(NOT_FOUND);
      if (!opened) open();
      if (snapshot.version !== lastSeen) res.write(`id: ${snapshot.version}\nevent: operation\ndata: ${JSON.stringify(snapshot.operation)}\n\n`);
      if (snapshot.operation.done) end();
    };
    // A comment line now and then keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => opened && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    // Nothing said yet (Temporal unreachable)? Then an empty stream: the browser asks again.
    const hangUp = () => {
      if (!opened) open();
      end();
    };
    const lifetime = setTimeout(hangUp, streams.maxLifetimeMs);
    streams.closing.addEventListener('abort', hangUp, { once: true });
    res.on('close', close);
    if (streams.closing.aborted) return hangUp(); // a late request on a kept-alive connection
    unsubscribe = watchers.subscribe(req.params.id, write);
    if (closed) unsubscribe(); // the current snapshot, sent at once, was the last one
  };
}

function refusal(cap: StreamRefusal, limiter: StreamLimiter): ApiError {
  const poll = 'or poll GET /cloud_archive/transfers/{transfer_id} instead';
  return cap === 'client'
    ? new ApiError(429, 'too_many_streams', `Too many open event streams from your address (at most ${limiter.limits.perClient}): close another page that follows a transfer, ${poll}.`)
    : new ApiError(429, 'too_many_streams', `This server already has as many open event streams as it allows (${limiter.limits.total}): try again in ${REFUSED_RETRY_AFTER_SECONDS} seconds, ${poll}.`);
}
