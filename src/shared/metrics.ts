import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of this process (one registry per process; each role exposes `/metrics`). Names follow
 * Prometheus conventions; labels have small, fixed value sets (never ids or URLs).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'cloud_archive_' });

export const httpRequests = new Histogram({
  name: 'cloud_archive_http_request_duration_seconds',
  help: 'API request latency by route and status',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const jobsPublished = new Counter({
  name: 'cloud_archive_jobs_published_total',
  help: 'Transfer jobs the API tried to queue, by outcome (confirmed | failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const jobsConsumed = new Counter({
  name: 'cloud_archive_jobs_consumed_total',
  help: 'Jobs the bridge handled, by outcome (started | already_exists | dead_lettered | start_retried)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const filesTransferred = new Counter({
  name: 'cloud_archive_files_total',
  help: 'Files handled by workers, by outcome (copied | failed | retried)',
  labelNames: ['outcome', 'code'] as const,
  registers: [registry],
});

export const bytesUploaded = new Counter({
  name: 'cloud_archive_bytes_uploaded_total',
  help: 'Bytes sent to the destination, re-sends included',
  registers: [registry],
});

export const rateLimitWaits = new Counter({
  name: 'cloud_archive_rate_limit_waits_total',
  help: 'Rate-limit answers from the destination (each one pauses that account\u2019s writes)',
  registers: [registry],
});

export const rateLimitWaitSeconds = new Counter({
  name: 'cloud_archive_rate_limit_wait_seconds_total',
  help: 'Time writes were paused by rate-limit answers',
  registers: [registry],
});

export const eventStreamsRefused = new Counter({
  name: 'cloud_archive_event_streams_refused_total',
  help: 'Event streams answered 429, by the cap that refused them (client | total)',
  labelNames: ['cap'] as const,
  registers: [registry],
});
