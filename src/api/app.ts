import express, { Express } from 'express';
import type { JobPublisherLike } from '../amqp/publisher';
import { Config, OAUTH_CALLBACK_PATH } from '../config';
import { Sealer } from '../shared/crypto';
import type { Logger } from '../shared/logger';
import { createOAuthClient } from './google-oauth';
import { errorHandler, jsonBody, notFound, requireJson, securityHeaders } from './middleware';
import { Readiness, healthRoutes } from './routes/health';
import { oauthCallback } from './routes/oauth-callback';
import { startTransfer } from './routes/start-transfer';
import { createTransferRequestSchema } from './transfer-request';

export interface AppDeps {
  config: Config;
  publisher: JobPublisherLike;
  logger: Logger;
  readiness: () => Promise<Readiness>;
}

/** The API's routes, without listening: tests and launchers decide where it runs. */
export function createApp({ config, publisher, logger, readiness }: AppDeps): Express {
  const sealer = new Sealer(config.SECRET_KEY);
  const oauth = createOAuthClient(config);
  const schema = createTransferRequestSchema(config);

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(healthRoutes(readiness));
  app.post('/cloud_archive', requireJson, jsonBody, startTransfer({ schema, sealer, oauth, logger }));
  app.get(OAUTH_CALLBACK_PATH, oauthCallback({ sealer, oauth, publisher, logger }));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
