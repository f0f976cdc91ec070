import express, { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../shared/logger';
import { ApiError } from './errors';
import { sendErrorPage } from './pages';

export const MAX_BODY = '16kb';

/**
 * Set on every response. The consent URL, the callback URL (code, state) and the redirects that follow them are
 * bearer material: no-referrer keeps them out of Referer headers, no-store out of caches. The CSP allows only
 * the inline style of our HTML pages: no script, no form, no frame, no <base>.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });
  next();
};

export const requireJson: RequestHandler = (req, _res, next) => {
  next(req.is('application/json') ? undefined : new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json.'));
};

export const jsonBody = express.json({ limit: MAX_BODY, type: 'application/json' });

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `No such endpoint: ${req.method} ${req.path}.`));
};

/**
 * Renders every error as the JSON error body, or as a page when a browser navigated here (a person is looking);
 * unexpected ones become a 500 without internals.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) {
      // Name and message only: error objects from HTTP clients carry request bodies (codes, client secret).
      logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message }, path: req.path }, 'request failed');
    }
    if (res.headersSent) return next(err); // Express then drops the connection
    if (wantsPage(req)) return sendErrorPage(res, apiError.status);
    res.status(apiError.status).json(apiError.toBody());
  };
}

/** A navigation asks for text/html first; fetch() and API clients accept anything or ask for application/json. */
function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.accepts(['application/json', 'text/html']) === 'text/html';
}

/** Maps body-parser's errors (which carry a `type`) and anything unexpected onto ApiError. */
function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const { type, status } = (err ?? {}) as { type?: unknown; status?: unknown };
  switch (type) {
    case 'entity.too.large':
      return new ApiError(413, 'payload_too_large', `The request body must be at most ${MAX_BODY}.`);
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new ApiError(415, 'unsupported_media_type', 'The request body must be UTF-8 JSON without content encoding.');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, 'bad_request', 'The request could not be read.');
  }
  return new ApiError(500, 'internal_error', 'Something went wrong on our side. Please try again.');
}
