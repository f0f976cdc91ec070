import type { Sealer } from '../../shared/crypto';
import { TransferError, VERIFICATION_FAILED } from '../../shared/errors';
import { mimeTypeFor } from '../../shared/mime';
import { checkCrc, Hashes, SavedHashes } from '../../source/reader';
import { readWhole, sendAllButLast } from '../chunked';
import type { PutFileRequest, StoredFile, Verification } from '../types';
import type { SessionState } from './api';
import type { PendingUpload } from './committer';
import { toPhotosError } from './errors';
import type { PhotosLibrary } from './library';

/**
 * A photo's bytes into Photos, as an upload token (not yet an item: see committer.ts). Photos cannot delete a media
 * item through the API, so nothing wrong may ever become one: the bytes are checked against the listing's CRC32
 * and size before the last of them is sent, and the size Photos received is checked before the token is used.
 */

const CHUNK_RETRIES = 5;

export interface UploadOptions {
  /** Files up to this size go in one raw request, read whole into memory first. */
  rawMaxBytes: number;
  /** Resumable chunk size, rounded down to Photos' granularity. */
  chunkBytes: number;
  sealer: Sealer;
  now?: () => number;
}

/** What a resumable upload leaves for the next attempt (heartbeated). */
interface ResumableCheckpoint {
  session: string; // sealed: the upload URL lets anyone write to this upload
  granularity: number;
  hashes: SavedHashes;
}

export class PhotosUploader {
  constructor(private readonly library: PhotosLibrary, private readonly options: UploadOptions) {}

  put(req: PutFileRequest): Promise<StoredFile> {
    return req.file.size <= this.options.rawMaxBytes ? this.#putRaw(req) : this.#putResumable(req);
  }

  /** Small files: read whole, check, then one raw request. A retry makes a new token; the lost one is never used. */
  async #putRaw(req: PutFileRequest): Promise<StoredFile> {
    const { body } = await readWhole(req.file, req.read);
    let bytesSent = 0;
    const { api, call } = this.library;
    const token = await call.run(`uploading "${req.file.name}"`, 'write', () => {
      bytesSent += body.length;
      return api.rawUpload(body, baseName(req.file.name), mimeTypeFor(req.file.name), req.signal);
    }, req.signal);
    // The raw upload's answer is the token alone: nothing to check the stored size against.
    return this.#stored(req, token, ['crc32'], bytesSent);
  }

  /**
   * Large files: seed 002's resumable protocol, one chunk in memory. The session URL and hash states are
   * checkpointed after each chunk; a later attempt asks Photos how much it has (the checkpoint may be stale) and
   * sends only the rest. The finalizing chunk leaves only after the whole source was read and its CRC32 checked.
   */
  async #putResumable(req: PutFileRequest): Promise<StoredFile> {
    const { file } = req;
    const opened = await this.#session(req);
    if (!('url' in opened)) return opened;
    const { url, granularity } = opened;
    const h = opened.hashes;
    const sealed = this.options.sealer.seal('upload-session', url);
    const checkpoint = () => req.saveCheckpoint({ session: sealed, granularity, hashes: h.save() } satisfies ResumableCheckpoint);
    checkpoint();

    let bytesSent = 0;
    const send = async (chunk: Buffer, start: number, finalize: boolean): Promise<SessionState> => {
      const result = await this.#sendChunk(req, url, chunk, start, finalize);
      bytesSent += result.sent;
      return result.state;
    };
    const { last, digest } = await sendAllButLast({
      read: (offset) => req.read(offset),
      hashes: h,
      committed: opened.received,
      size: file.size,
      chunkBytes: Math.max(granularity, Math.floor(this.options.chunkBytes / granularity) * granularity),
      send: async (chunk, start) => void (await send(chunk, start, false)),
      checkpoint,
    });
    try {
      checkCrc(file, digest.crc);
    } catch (err) {
      // The bytes Photos holds came from this bad download: the next attempt starts over (new session, byte 0).
      req.saveCheckpoint(undefined);
      throw err;
    }
    const final = await send(last, file.size - last.length, true);
    if (final.status !== 'final') throw new TransferError('gphotos_incomplete', `Google Photos did not finish "${file.name}" after its last byte`, true);
    return this.#checked(req, final, bytesSent);
  }

  /**
   * The upload session to go on with: the checkpoint's, where Photos says it stands (the checkpoint may be stale),
   * or a new one. A session Photos finalized in an earlier attempt gives the stored file at once.
   */
  async #session(req: PutFileRequest): Promise<StoredFile | { url: string; granularity: number; received: number; hashes: Hashes }> {
    const { file } = req;
    const saved = asCheckpoint(req.checkpoint);
    if (saved) {
      const url = this.options.sealer.open('upload-session', saved.session);
      const state = await this.#query(req, url);
      if (state.status === 'final') return this.#finishedEarlier(req, state, saved.hashes);
      if (state.status === 'active') {
        // Hash states are only usable from an offset at or before what Photos has; otherwise re-hash from 0.
        const hashes = await Hashes.create(saved.hashes.offset <= state.received ? saved.hashes : undefined);
        return { url, granularity: saved.granularity, received: state.received, hashes };
      }
    }
    const { api, call } = this.library;
    const session = await call.run(`starting the upload of "${file.name}"`, 'write', () => api.startSession(file.size, baseName(file.name), mimeTypeFor(file.name), req.signal), req.signal);
    return { ...session, received: 0, hashes: await Hashes.create() };
  }

  /** Sends one chunk until Photos has all of it, resending only what a cut or a failure left out. */
  async #sendChunk(req: PutFileRequest, url: string, chunk: Buffer, start: number, finalize: boolean): Promise<{ state: SessionState; sent: number }> {
    const { file } = req;
    const { api, call } = this.library;
    const end = start + chunk.length;
    let offset = start;
    let sent = 0;
    for (let failures = 0; ; ) {
      let state: SessionState;
      let tries = 0;
      try {
        state = await call.run(`uploading "${file.name}"`, 'read', async () => {
          // ProviderCaller calls this again after a 5xx, a cut or a 401, and Photos may have kept part of the chunk:
          // resending from another offset is refused, so ask first and send only what it lacks.
          if (tries++ > 0) {
            const now = await api.query(url, req.signal);
            if (now.status !== 'active' || now.received < start || now.received >= end) return now;
            offset = now.received;
          }
          sent += end - offset;
          return api.sendChunk(url, chunk.subarray(offset - start), offset, finalize, req.signal);
        }, req.signal);
      } catch (err) {
        const failure = toPhotosError(err, `uploading "${file.name}"`);
        const refusedOffset = failure.code === 'gphotos_bad_request';
        if ((!failure.retryable && !refusedOffset) || ++failures > CHUNK_RETRIES || req.signal.aborted) throw failure;
        state = await this.#query(req, url);
      }
      if (state.status === 'cancelled') {
        req.saveCheckpoint(undefined);
        throw new TransferError('gphotos_session_lost', `Google Photos cancelled the upload of "${file.name}"; it restarts from the beginning`, true);
      }
      if (state.status === 'final' || state.received >= end) return { state, sent };
      if (state.received < start) {
        req.saveCheckpoint(undefined);
        throw new TransferError('gphotos_session_rewound', `Google Photos reports fewer bytes of "${file.name}" than it confirmed before`, true);
      }
      offset = state.received;
    }
  }

  #query(req: PutFileRequest, url: string): Promise<SessionState> {
    return this.library.call.run(`checking the upload of "${req.file.name}"`, 'read', () => this.library.api.query(url, req.signal), req.signal);
  }

  /** Photos finalized the upload in an earlier attempt: read the source (from the saved hash state) to check it. */
  async #finishedEarlier(req: PutFileRequest, state: Extract<SessionState, { status: 'final' }>, saved: SavedHashes): Promise<StoredFile> {
    const hashes = await Hashes.create(saved);
    for await (const piece of req.read(hashes.offset)) hashes.update(piece);
    const digest = hashes.digest();
    checkCrc(req.file, digest.crc);
    return this.#checked(req, state, 0);
  }

  /** What Photos received must be what the listing says, or the token is never used (no wrong item, ever). */
  #checked(req: PutFileRequest, state: Extract<SessionState, { status: 'final' }>, bytesSent: number): StoredFile {
    if (state.received !== req.file.size) {
      req.saveCheckpoint(undefined);
      throw new TransferError(VERIFICATION_FAILED, `Google Photos received ${state.received} bytes of "${req.file.name}", the listing says ${req.file.size}; it was not added`, false);
    }
    return this.#stored(req, state.token, ['crc32', 'size'], bytesSent);
  }

  /** Photos reports no checksum of what it stored: CRC32 of what we read, and the size it received when it says it. */
  #stored(req: PutFileRequest, token: string, verified: Verification[], bytesSent: number): StoredFile {
    const pending: PendingUpload = {
      token: this.options.sealer.seal('upload-session', token),
      issuedAt: (this.options.now ?? Date.now)(),
      ...(req.galleryKey ? { galleryKey: req.galleryKey } : {}),
    };
    return { id: '', size: req.file.size, verified, bytesSent, pending };
  }
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function asCheckpoint(value: unknown): ResumableCheckpoint | undefined {
  const cp = value as ResumableCheckpoint | undefined;
  return cp && typeof cp.session === 'string' && typeof cp.granularity === 'number' && cp.hashes && typeof cp.hashes.offset === 'number' ? cp : undefined;
}
