import { join } from 'node:path';
import { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { Config } from '../../config';
import { DOCS_ASSETS, DOCS_HTML, DOCS_INIT, openApiDocument } from '../openapi';

/**
 * `/cloud_archive/openapi.json` and interactive docs (Swagger UI, served from our origin: no CDN). Only the two
 * files the page loads are served: swagger-ui-dist also ships an `index.html` that renders any spec named in its
 * URL and an `oauth2-redirect.html`, pages we do not want answering on the API's origin.
 */
export function docsRoutes(config: Config): Router {
  const router = Router();
  const document = openApiDocument(config);
  const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
  router.get('/cloud_archive/openapi.json', (_req, res) => void res.json(document));
  router.get('/cloud_archive/docs', (_req, res) => void res.set({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).send(DOCS_HTML));
  router.get('/cloud_archive/docs/init.js', (_req, res) => void res.type('text/javascript').send(DOCS_INIT));
  const dist = getAbsoluteFSPath();
  for (const file of Object.values(DOCS_ASSETS)) {
    router.get(`/cloud_archive/docs/assets/${file}`, (_req, res, next) => res.sendFile(join(dist, file), { maxAge: '1h' }, (err) => err && next(err)));
  }
  return router;
}
