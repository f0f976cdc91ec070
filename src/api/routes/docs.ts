import express, { Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { Config } from '../../config';
import { DOCS_HTML, DOCS_INIT, openApiDocument } from '../openapi';

/** `/cloud_archive/openapi.json` and interactive docs (Swagger UI, served from our origin: no CDN). */
export function docsRoutes(config: Config): Router {
  const router = Router();
  const document = openApiDocument(config);
  const csp = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";
  router.get('/cloud_archive/openapi.json', (_req, res) => void res.json(document));
  router.get('/cloud_archive/docs', (_req, res) => void res.set({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).send(DOCS_HTML));
  router.get('/cloud_archive/docs/init.js', (_req, res) => void res.type('text/javascript').send(DOCS_INIT));
  router.use('/cloud_archive/docs/assets', express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
  return router;
}
