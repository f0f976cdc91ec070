import { RequestHandler, Router } from 'express';

export interface Readiness {
  amqp: boolean;
  temporal: boolean;
}

/** `/healthz`: the process serves requests. `/readyz`: its dependencies are reachable, so traffic may come. */
export function healthRoutes(readiness: () => Promise<Readiness>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', ready(readiness));
  return router;
}

function ready(readiness: () => Promise<Readiness>): RequestHandler {
  return async (_req, res) => {
    const checks = await readiness().catch((): Readiness => ({ amqp: false, temporal: false }));
    const down = Object.entries(checks)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    if (down.length === 0) {
      res.json({ status: 'ready', checks });
      return;
    }
    res.status(503).json({ error: 'not_ready', message: `Not ready: ${down.join(' and ')} unreachable.`, checks });
  };
}
