import { Counter } from 'prom-client';
import { registry } from '../../shared/metrics';

/**
 * Every request sent to the Photos Library API (the project's 10,000 a day count them all). Divided by
 * cloud_archive_files_transferred_total{outcome="copied"} of Photos transfers it gives requests per photo; the
 * target is ≤ 1.05 (one upload, a fiftieth of a batchCreate).
 */
export const photosRequests = new Counter({
  name: 'cloud_archive_google_photos_requests_total',
  help: 'Requests sent to the Google Photos Library API',
  registers: [registry],
});
