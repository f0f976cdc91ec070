import type { RequestHandler } from 'express';
import { httpRequests, registry } from '../shared/metrics';

/** Times every API request; the route label is the matched route pattern, never the raw path (ids stay out). */
export const httpMetrics: RequestHandler = (req, res, next) => {
  const stop = httpRequests.startTimer({ method: req.method });
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    stop({ route: String(route), status: String(res.statusCode) });
  });
  next();
};

export const metricsEndpoint: RequestHandler = async (_req, res) => {
  res.set('content-type', registry.contentType).send(await registry.metrics());
};
