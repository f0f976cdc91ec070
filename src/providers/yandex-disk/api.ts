import { Readable } from 'node:stream';
import { request } from 'undici';
import type { YandexAuth } from './auth';
import { YandexHttpError } from './errors';

/** Metadata and operation calls are small; a minute covers Yandex's slow moments after large uploads. */
const CALL_TIMEOUT_MS = 60_000;

/** A Link object, Yandex's answer to most writes: where to go next. */
export interface YandexLink {
  href: string;
  method: string;
  templated?: boolean;
  /** Present on upload links: the operation that ends when the uploaded file is in place. */
  operation_id?: string;
}

/** GET /v1/disk, the fields we ask for. */
export interface YandexDiskInfo {
  total_space: number;
  used_space: number;
}

export interface YandexResource {
  path: string;
  name: string;
  type: 'dir' | 'file';
  size?: number;
  md5?: string;
  sha256?: string;
  /** ISO 8601. */
  created?: string;
  custom_properties?: Record<string, unknown>;
  /** A folder's items, one page (limit/offset) of them. */
  _embedded?: { total?: number; items?: YandexResource[] };
}

/**
 * The Disk REST API (https://yandex.ru/dev/disk-api/doc/en/) as JSON calls with `Authorization: OAuth`.
 * Throws YandexHttpError for any non-2xx answer; the caller classifies it.
 */
export class YandexApi {
  /** Scheme, host and port of the API: the only place our token is sent. */
  readonly origin: string;

  constructor(private readonly apiUrl: string, private readonly auth: YandexAuth) {
    this.origin = new URL(apiUrl).origin;
  }

  call<T>(method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE', path: string, query: Record<string, string>, body?: unknown, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${this.apiUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return this.#send<T>(method, url, body, signal);
  }

  /** Follows a Link Yandex gave us (an operation). Our token goes only to Yandex's own API host. */
  follow<T>(href: string, signal?: AbortSignal): Promise<T> {
    const url = new URL(href);
    if (url.origin !== this.origin) throw new Error(`refusing to send the Yandex token to ${url.origin}`);
    return this.#send<T>('GET', url, undefined, signal);
  }

  async #send<T>(method: string, url: URL, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await request(url, {
      method,
      headers: {
        authorization: await this.auth.authorization(),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const parsed = safeJson(await res.body.text());
    if (res.statusCode >= 200 && res.statusCode < 300) return parsed as T;
    throw httpError(res.statusCode, parsed, res.headers);
  }
}

/**
 * PUTs a file's bytes to an upload link (no token: the link is the capability): 'stored' on 201/202, 'gone'
 * when the link has died (410 past its lifetime, 404 unknown to the uploader) — the caller asks for a new one.
 */
export async function putToUploadLink(href: string, body: AsyncIterable<Buffer>, size: number, signal?: AbortSignal): Promise<'stored' | 'gone'> {
  const res = await request(href, {
    method: 'PUT',
    headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
    body: Readable.from(body),
    signal,
  });
  const parsed = safeJson(await res.body.text());
  if (res.statusCode === 201 || res.statusCode === 202) return 'stored';
  if (res.statusCode === 410 || res.statusCode === 404) return 'gone';
  throw httpError(res.statusCode, parsed, res.headers);
}

/** A non-2xx answer with Yandex's error body {"message","description","error"}. */
function httpError(status: number, body: unknown, headers: Record<string, string | string[] | undefined>): YandexHttpError {
  const { error, description } = (body ?? {}) as { error?: unknown; description?: unknown };
  return new YandexHttpError(status, typeof error === 'string' ? error : undefined, typeof description === 'string' ? description : undefined, headers);
}

/** The parsed body, or {} when it is empty or not JSON (a proxy's HTML error page). */
function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}
