import { request } from 'undici';
import { signBody } from '../shared/crypto';
import { TransferError } from '../shared/errors';
import type { CompletionReport } from './types';

export const SIGNATURE_HEADER = 'x-cloud-archive-signature';

/**
 * Tells the gallery backend a transfer is over. The body is signed (HMAC-SHA256 under CALLBACK_SECRET) so the
 * backend can trust `failed_photos`; `sent_at` inside the signed body lets it reject replays.
 * Any non-2xx answer is retried by Temporal with backoff until the backend takes it.
 */
export async function postCompletion(url: string, secret: string, report: CompletionReport): Promise<void> {
  const body = JSON.stringify({ ...report, sent_at: new Date().toISOString() });
  let status: number;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body) },
      body,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    status = res.statusCode;
    await res.body.dump();
  } catch (err) {
    throw new TransferError('callback_unreachable', `the gallery backend is unreachable: ${(err as Error).message}`, true);
  }
  if (status < 200 || status >= 300) {
    throw new TransferError('callback_rejected', `the gallery backend answered HTTP ${status} to the completion callback`, true);
  }
}
