import express, { Express } from 'express';
import type { JobPublisherLike } from '../amqp/publisher';
import type { Config } from '../config';
import { Sealer } from '../shared/crypto';
import type { Logger } from '../shared/logger';
import type { ConsentClaim } from './consent-claim';
import { cors } from './cors';
import { consentProviders } from './consent';
import { errorHandler, jsonBody, notFound, requireJson, securityHeaders } from './middleware';
import { Readiness, healthRoutes } from './routes/health';
import { oauthCallback } from './routes/oauth-callback';
import { startTransfer } from './routes/start-transfer';
import { httpMetrics, metricsEndpoint } from './metrics';
import { docsRoutes } from './routes/docs';
import { transferRoutes } from './routes/transfers';
import type { TransferStatusSource } from './transfers/status-source';
import { StreamLimiter } from './transfers/stream-limits';
import type { TransferWatchers } from './transfers/watchers';
import { createTransferRequestSchema } from './transfer-request';

export interface ApiShutdown {
  readonly draining: boolean;
  readonly closing: AbortSignal;
}

export interface AppDeps {
  config: Config;
  publisher: JobPublisherLike;
  /** Marks a consent link used (Temporal), so a second approval of it starts nothing. */
  claim: ConsentClaim;
  logger: Logger;
  readiness: () => Promise<Readiness>;
  /** The server's shutdown: readiness fails while it drains, event streams end when it closes. Absent: never. */
  shutdown?: ApiShutdown;
  /** Transfer status endpoints (need Temporal); left out by tests of the consent flow alone. */
  transfers?: { source: TransferStatusSource; watchers: TransferWatchers };
}

/** The API's routes, without listening: tests and launchers decide where it runs. */
export function createApp({ config, publisher, claim, logger, readiness, shutdown, transfers }: AppDeps): Express {
  const sealer = new Sealer(config.SECRET_KEY, config.SECRET_KEYS_PREVIOUS);
  logger.info(sealer.keyIds, 'sealing keys');
  const consent = consentProviders(config);
  const schema = createTransferRequestSchema(config);

  const app = express();
  app.disable('x-powered-by');
  // req.ip: the client's address as the trusted proxies in front of us report it (per-client stream caps).
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(httpMetrics);
  app.use(securityHeaders);
  app.get('/metrics', metricsEndpoint); // not under /cloud_archive: the Ingress does not expose it
  app.use(healthRoutes({ readiness, draining: () => shutdown?.draining ?? false }));
  // Called by the gallery's pages with fetch (cross-origin); the callback below is a plain navigation.
  // application/json is not a "simple" content type, so the page's fetch always asks for content-type.
  app
    .route('/cloud_archive')
    .all(cors({ origins: config.CORS_ORIGINS, logger, methods: ['POST'], headers: ['content-type'] }))
    .post(requireJson, jsonBody, startTransfer({ schema, sealer, consent, logger }));
  for (const provider of consent.values()) {
    app.get(provider.callbackPath, oauthCallback({ sealer, provider, publisher, claim, logger }));
  }
  if (transfers) {
    const limiter = new StreamLimiter({ total: config.SSE_MAX_STREAMS, perClient: config.SSE_MAX_STREAMS_PER_CLIENT });
    const streams = { limiter, maxLifetimeMs: config.SSE_STREAM_MAX_SECONDS * 1000, closing: shutdown?.closing ?? new AbortController().signal };
    // The gallery's success page follows its transfer with fetch and EventSource (a polyfill may send Last-Event-ID).
    const crossOrigin = cors({ origins: config.CORS_ORIGINS, logger, methods: ['GET'], headers: ['last-event-id'] });
    app.use(transferRoutes({ ...transfers, streams, cors: crossOrigin, logger }));
  }
  app.use(docsRoutes(config));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
