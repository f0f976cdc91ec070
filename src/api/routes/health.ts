import { RequestHandler, Router } from 'express';

export interface Readiness {
  amqp: boolean;
  temporal: boolean;
}

export interface ReadinessDeps {
  readiness: () => Promise<Readiness>;
  /** True from SIGTERM on: the load balancer should send new requests elsewhere while these finish. */
  draining: () => boolean;
}

/**
 * `/healthz`: the process serves requests. `/readyz`: traffic may come — the process is not shutting down, and RabbitMQ takes jobs, so a consent that
 * comes back from Google ends in a queued transfer. Temporal is not required: without it the job waits in
 * RabbitMQ until the bridge can start it, and only the consent claim and transfer status suffer, which the answer
 * reports as `degraded` (an unready API would turn Google's redirect back into the ingress's 503).
 */
export function healthRoutes(deps: ReadinessDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', ready(deps));
  return router;
}

function ready({ readiness, draining }: ReadinessDeps): RequestHandler {
  return async (_req, res) => {
    if (draining()) {
      res.status(503).json({ error: 'shutting_down', message: 'Shutting down: requests in flight finish, new ones belong elsewhere.' });
      return;
    }
    const checks = await readiness().catch((): Readiness => ({ amqp: false, temporal: false }));
    if (!checks.amqp) {
      res.status(503).json({ error: 'not_ready', message: 'Not ready: RabbitMQ unreachable, so no transfer can be queued.', checks });
      return;
    }
    if (!checks.temporal) {
      res.json({
        status: 'degraded',
        message: 'Temporal unreachable: transfers are queued and start when it is back; transfer status and the one-time consent check wait for it.',
        checks,
      });
      return;
    }
    res.json({ status: 'ready', checks });
  };
}
