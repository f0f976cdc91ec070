import { Router } from 'express';
import type { Logger } from '../../shared/logger';
import type { TransferStatusSource } from '../transfers/status-source';
import type { Snapshot, TransferWatchers } from '../transfers/watchers';
import { statusPage, STATUS_PAGE_SCRIPT } from '../transfers/status-page';

const HEARTBEAT_MS = 15_000;

/**
 * The client's view of a transfer: the operation (JSON), its live stream (Server-Sent Events), and a small page
 * that shows it. The transfer id in the path is the only credential: unknown ids get a plain 404.
 */
export function transferRoutes(deps: { source: TransferStatusSource; watchers: TransferWatchers; logger: Logger }): Router {
  const router = Router();
  const notFound = { error: 'not_found', message: 'no such transfer' };

  router.get('/cloud_archive/transfers/:id', async (req, res, next) => {
    try {
      const op = await deps.source.get(req.params.id);
      if (!op) return void res.status(404).json(notFound);
      res.json(op);
    } catch (err) {
      next(err);
    }
  });

  router.get('/cloud_archive/transfers/:id/events', (req, res) => {
    const lastSeen = Number(req.get('last-event-id') ?? NaN);
    let opened = false;
    const write = (snapshot: Snapshot | null) => {
      if (snapshot === null) {
        if (!opened) return void res.status(404).json(notFound);
        return void res.end();
      }
      if (!opened) open();
      if (snapshot.version !== lastSeen) res.write(`id: ${snapshot.version}\nevent: operation\ndata: ${JSON.stringify(snapshot.operation)}\n\n`);
      if (snapshot.operation.done) {
        res.end();
        unsubscribe();
      }
    };
    const open = () => {
      opened = true;
      res.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      res.flushHeaders();
      res.write('retry: 2000\n\n');
    };
    const unsubscribe = deps.watchers.subscribe(req.params.id, write);
    // A comment line now and then keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => opened && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

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
