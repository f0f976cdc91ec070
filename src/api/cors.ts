import type { RequestHandler } from 'express';
import type { Logger } from '../shared/logger';
import { OriginRule, isOriginAllowed } from './cors-origins';
import { ApiError } from './errors';

/** How long a browser may reuse a preflight answer (Chromium caps this at two hours). */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface CorsOptions {
  origins: readonly OriginRule[];
  logger: Logger;
  /** Methods the route answers cross-origin, e.g. ['POST']. */
  methods: readonly string[];
  /** Request headers a page may send beyond the CORS-safelisted ones, e.g. ['content-type'] for JSON. */
  headers: readonly string[];
}

/**
 * CORS for a route called by `fetch` (or EventSource) from the gallery's pages. The allowed origin is echoed, never `*`: browsers
 * reject `*` when the page sends credentials, and we do not control whether it does. Credentials are allowed
 * for the same reason, although the API reads no cookie. A foreign origin gets no CORS headers, so the browser
 * keeps the answer from its page; the request itself still runs, since requests from our own origin and
 * non-browser clients are fine and an attacker could omit the header anyway.
 */
export function cors({ origins, logger, methods, headers }: CorsOptions): RequestHandler {
  const allowMethods = methods.join(', ');
  const allowHeaders = headers.join(', ');
  return (req, res, next) => {
    // The answer differs per Origin: shared caches must not hand one origin's answer to another.
    res.vary('Origin');
    const origin = req.get('origin');
    if (origin === undefined) return next(); // not a cross-origin browser request
    const preflight = req.method === 'OPTIONS' && req.get('access-control-request-method') !== undefined;

    if (!isOriginAllowed(origin, origins)) {
      logger.warn({ origin, method: preflight ? `OPTIONS (${req.get('access-control-request-method')})` : req.method, path: req.path }, 'CORS: origin not allowed');
      if (preflight) return next(new ApiError(403, 'origin_not_allowed', `Origin ${origin} may not call this API from a browser.`));
      return next();
    }

    res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    if (!preflight) return next();
    res.set({
      'Access-Control-Allow-Methods': allowMethods,
      'Access-Control-Allow-Headers': allowHeaders,
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
    res.status(204).end();
  };
}
