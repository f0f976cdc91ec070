import type { request } from 'undici';
import type { Headers } from './retry-after';

/**
 * A non-2xx answer from a destination's HTTP API, thrown by the hand-written protocol clients (resumable uploads)
 * and handed to that destination's classifier, which reads status, body and headers as it reads its client's errors.
 */
export interface HttpFailure {
  status: number;
  body: unknown;
  headers: Headers;
}

type UndiciResponse = Awaited<ReturnType<typeof request>>;

export function isHttpFailure(err: unknown): err is HttpFailure {
  return typeof err === 'object' && err !== null && 'status' in err && 'headers' in err && !(err instanceof Error);
}

/** The answer as an HttpFailure: its body as JSON where it is JSON, else as text. */
export async function httpFailure(res: UndiciResponse): Promise<HttpFailure> {
  const text = await res.body.text().catch(() => '');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, body, headers: res.headers as Headers };
}

/** An answer the protocol does not allow (a 2xx without what it must carry): a bad gateway, retried like one. */
export function protocolFailure(message: string): HttpFailure {
  return { status: 502, body: { error: { message } }, headers: {} };
}
