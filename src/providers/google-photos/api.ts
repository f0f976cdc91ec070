import { Agent, request } from 'undici';
import type { GoogleAuth } from '../google-auth';
import { httpFailure, protocolFailure } from '../http-failure';
import { photosRequests } from './metrics';

/**
 * The Photos Library API over HTTP (https://developers.google.com/photos/library/reference/rest): JSON calls and
 * the upload protocols (raw, and seed 002's resumable one). Callers decide retries; this module reports what the
 * server says, throwing an HttpFailure for any answer the protocol does not expect.
 */

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, headersTimeout: 120_000, bodyTimeout: 120_000 });

export type SessionState =
  | { status: 'active'; received: number }
  | { status: 'final'; received: number; token: string }
  | { status: 'cancelled' };

type UndiciResponse = Awaited<ReturnType<typeof request>>;

export class PhotosApi {
  constructor(private readonly baseUrl: string, private readonly auth: GoogleAuth) {}

  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.#send(`${this.baseUrl}${path}`, {
      method,
      signal,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.statusCode !== 200) throw await httpFailure(res);
    return (await res.body.json()) as T;
  }

  /** One request carries the whole file; answers its upload token. */
  async rawUpload(bytes: Buffer, fileName: string, mimeType: string, signal?: AbortSignal): Promise<string> {
    const res = await this.#send(`${this.baseUrl}/v1/uploads`, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/octet-stream', 'x-goog-upload-protocol': 'raw', 'x-goog-upload-content-type': mimeType, 'x-goog-upload-file-name': asciiName(fileName) },
      body: bytes,
    });
    if (res.statusCode !== 200) throw await httpFailure(res);
    return res.body.text();
  }

  /** Starts a resumable session: its URL and the granularity chunks must be multiples of. */
  async startSession(size: number, fileName: string, mimeType: string, signal?: AbortSignal): Promise<{ url: string; granularity: number }> {
    const res = await this.#send(`${this.baseUrl}/v1/uploads`, {
      method: 'POST',
      signal,
      headers: {
        'content-length': '0',
        'x-goog-upload-command': 'start',
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-raw-size': String(size),
        'x-goog-upload-content-type': mimeType,
        'x-goog-upload-file-name': asciiName(fileName),
      },
    });
    if (res.statusCode !== 200) throw await httpFailure(res);
    await res.body.dump();
    const url = header(res, 'x-goog-upload-url');
    const granularity = Number(header(res, 'x-goog-upload-chunk-granularity'));
    if (!url || !Number.isInteger(granularity) || granularity <= 0) throw protocolFailure('no upload URL or granularity in the session answer');
    // We will send the user's token to this URL: it must be Photos itself, not wherever a proxy points us.
    if (new URL(url, this.baseUrl).origin !== new URL(this.baseUrl).origin) throw protocolFailure(`upload URL on unexpected host ${new URL(url, this.baseUrl).host}`);
    return { url: new URL(url, this.baseUrl).toString(), granularity };
  }

  /** Bytes at `offset`; `finalize` with the last ones (then the answer carries the upload token). */
  async sendChunk(url: string, chunk: Buffer, offset: number, finalize: boolean, signal?: AbortSignal): Promise<SessionState> {
    const res = await this.#send(url, {
      method: 'POST',
      signal,
      headers: { 'content-length': String(chunk.length), 'x-goog-upload-command': finalize ? 'upload, finalize' : 'upload', 'x-goog-upload-offset': String(offset) },
      body: chunk,
    });
    return interpret(res);
  }

  /** How much of the upload Photos has (X-Goog-Upload-Size-Received), or its token once final. */
  async query(url: string, signal?: AbortSignal): Promise<SessionState> {
    const res = await this.#send(url, { method: 'POST', signal, headers: { 'content-length': '0', 'x-goog-upload-command': 'query' } });
    return interpret(res);
  }

  async #send(url: string, init: { method: string; signal?: AbortSignal; headers: Record<string, string>; body?: string | Buffer }): Promise<UndiciResponse> {
    photosRequests.inc();
    const authorization = await this.auth.authorization();
    return request(url, { ...init, dispatcher: agent, headers: { ...init.headers, authorization } });
  }
}

async function interpret(res: UndiciResponse): Promise<SessionState> {
  const status = header(res, 'x-goog-upload-status');
  // A session that was cancelled or expired ("start a new one"), or one Photos does not know.
  if (status === 'cancelled' || res.statusCode === 404) {
    await res.body.dump();
    return { status: 'cancelled' };
  }
  if (res.statusCode !== 200) throw await httpFailure(res);
  const received = Number(header(res, 'x-goog-upload-size-received'));
  if (status === 'final') return { status: 'final', received, token: await res.body.text() };
  await res.body.dump();
  if (status !== 'active' || !Number.isInteger(received)) throw protocolFailure(`unexpected upload status '${status ?? ''}'`);
  return { status: 'active', received };
}

function header(res: UndiciResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Headers carry ASCII only; the batchCreate fileName (JSON) gives the item its real name. */
function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_');
}


