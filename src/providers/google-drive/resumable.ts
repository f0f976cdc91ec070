import { Agent, request } from 'undici';
import { httpFailure, protocolFailure } from '../http-failure';

/**
 * Drive's resumable upload protocol, one HTTP exchange per method
 * (https://developers.google.com/drive/api/guides/manage-uploads#resumable). googleapis has no resumable
 * upload, so this is ours. Callers decide retries; this module only speaks the protocol and reports what the
 * server says, throwing an HttpFailure for any answer the protocol does not expect.
 */

export const CHUNK_GRANULARITY = 256 * 1024;

export type SessionState =
  | { state: 'complete'; file: DriveFileResource }
  | { state: 'partial'; committed: number }
  | { state: 'gone' };

export interface DriveFileResource {
  id: string;
  size?: string;
  md5Checksum?: string;
  appProperties?: Record<string, string>;
}

export const FILE_FIELDS = 'id,name,size,md5Checksum,appProperties';

const agent = new Agent({ keepAliveTimeout: 10_000, connections: 128, headersTimeout: 120_000, bodyTimeout: 120_000 });

export interface SessionMetadata {
  id: string;
  name: string;
  parents: string[];
  mimeType: string;
  appProperties: Record<string, string>;
}

/** Starts a session; returns its URI. The metadata (incl. the pre-generated id) is checked here by Drive. */
export async function startSession(apiUrl: string, authorization: string, meta: SessionMetadata, size: number, signal?: AbortSignal): Promise<string> {
  const url = `${apiUrl}/upload/drive/v3/files?uploadType=resumable&fields=${encodeURIComponent(FILE_FIELDS)}`;
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    signal,
    headers: {
      authorization,
      'content-type': 'application/json; charset=UTF-8',
      'x-upload-content-type': meta.mimeType,
      'x-upload-content-length': String(size),
    },
    body: JSON.stringify(meta),
  });
  if (res.statusCode !== 200) throw await httpFailure(res);
  await res.body.dump();
  const location = res.headers.location;
  if (typeof location !== 'string') throw protocolFailure('no Location in session answer');
  // We will send the user's token to this URI: it must be Drive itself, not wherever a proxy points us.
  if (new URL(location, apiUrl).origin !== new URL(apiUrl).origin) {
    throw protocolFailure(`session URI on unexpected host ${new URL(location, apiUrl).host}`);
  }
  return new URL(location, apiUrl).toString();
}

/** Asks how much of the upload Drive has committed (`Content-Range: bytes *\/size`). */
export async function querySession(sessionUrl: string, authorization: string, size: number, signal?: AbortSignal): Promise<SessionState> {
  const res = await request(sessionUrl, {
    method: 'PUT',
    dispatcher: agent,
    signal,
    headers: { authorization, 'content-range': `bytes */${size}`, 'content-length': '0' },
  });
  return interpret(res);
}

/** Sends bytes [start, start+chunk.length) of a `size`-byte file. */
export async function putChunk(sessionUrl: string, authorization: string, chunk: Buffer, start: number, size: number, signal?: AbortSignal): Promise<SessionState> {
  const end = start + chunk.length - 1;
  if (end + 1 < size && chunk.length % CHUNK_GRANULARITY !== 0) {
    throw new Error(`intermediate chunk of ${chunk.length} bytes is not a multiple of 256 KiB`);
  }
  const res = await request(sessionUrl, {
    method: 'PUT',
    dispatcher: agent,
    signal,
    headers: { authorization, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': String(chunk.length) },
    body: chunk,
  });
  return interpret(res);
}

type UndiciResponse = Awaited<ReturnType<typeof request>>;

async function interpret(res: UndiciResponse): Promise<SessionState> {
  if (res.statusCode === 200 || res.statusCode === 201) {
    return { state: 'complete', file: (await res.body.json()) as DriveFileResource };
  }
  if (res.statusCode === 308) {
    await res.body.dump();
    // "If the response doesn't have a Range header, no bytes have been received."
    const range = /bytes=0-(\d+)/.exec(String(res.headers.range ?? ''));
    return { state: 'partial', committed: range ? Number(range[1]) + 1 : 0 };
  }
  // 404: "the upload session has expired and the upload needs to be restarted from the start"; 410 likewise.
  if (res.statusCode === 404 || res.statusCode === 410) {
    await res.body.dump();
    return { state: 'gone' };
  }
  throw await httpFailure(res);
}

