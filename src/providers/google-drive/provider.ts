import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Sealer } from '../../shared/crypto';
import { eachLimited } from '../../shared/each-limited';
import { TransferError, VERIFICATION_FAILED } from '../../shared/errors';
import { mimeTypeFor } from '../../shared/mime';
import { checkCrc, Hashes, SavedHashes } from '../../source/reader';
import { readWhole, sendAllButLast } from '../chunked';
import type { CreatedRoot, DestinationProvider, EarlierCopy, EarlierCopyRequest, FindFoldersRequest, FolderRequest, PutFileRequest, RootRequest, StoredFile } from '../types';
import { GoogleAuth, revokeGoogleToken } from '../google-auth';
import type { ProviderCaller } from '../caller';
import { driveClient, drive_v3 } from './drive-client';
import { toTransferError } from './errors';
import { DriveFileResource, FILE_FIELDS, putChunk, querySession, SessionState, startSession } from './resumable';

const FOLDER_MIME = 'application/vnd.google-apps.folder';
const CHUNK_RETRIES = 5;
/** Folder lookups (reads, not paced) in flight at once. */
const LOOKUPS_IN_FLIGHT = 8;

export interface GoogleDriveOptions {
  apiUrl: string;
  multipartMaxBytes: number;
  chunkBytes: number;
  sealer: Sealer;
}

/** What a resumable upload leaves behind for the next attempt (heartbeated). */
interface ResumableCheckpoint {
  session: string; // sealed: the session URI lets anyone write to this upload
  hashes: SavedHashes;
}

/** A resumable upload under way: Drive's session, the bytes it holds, the hash state of the source read so far. */
interface OpenUpload {
  session: string;
  committed: number;
  hashes: Hashes;
}

/** A photo's request with its reserved id, which Drive always needs. */
type DriveRequest = PutFileRequest & { target: string };

/**
 * Google Drive behind the provider interface. Idempotency comes from pre-generated file ids: a create retried
 * with the same id answers 409 instead of making a duplicate, and we then verify the file that is there.
 */
export class GoogleDriveProvider implements DestinationProvider {
  readonly #drive: drive_v3.Drive;
  readonly #call: ProviderCaller;
  readonly #opts: { rootUrl: string; retry: false };
  /**
   * Saving again: the albums of a gallery folder by path mark, for this provider's life (one activity). Albums made
   * before caRoot carry none, but neither does their gallery folder carry the caGallery that lets a later save take it.
   */
  readonly #albums = new Map<string, Promise<Map<string, string>>>();

  constructor(private readonly auth: GoogleAuth, caller: ProviderCaller, private readonly options: GoogleDriveOptions) {
    this.#call = caller;
    this.#drive = driveClient(auth.client);
    // The generated client applies a global rootUrl to metadata calls but not to media uploads: pass it on every call.
    // retry:false — gaxios would retry without honouring Retry-After or our pacing; ProviderCaller decides.
    this.#opts = { rootUrl: `${options.apiUrl}/`, retry: false };
  }

  async reserveTargets(count: number): Promise<string[]> {
    const ids: string[] = [];
    while (ids.length < count) {
      const n = Math.min(1000, count - ids.length); // Drive's maximum per call
      const res = await this.#call.run('reserving file ids', 'read', () =>
        this.#drive.files.generateIds({ count: n, space: 'drive', type: 'files' }, this.#opts),
      );
      ids.push(...(res.data.ids ?? []));
      if ((res.data.ids ?? []).length !== n) throw new TransferError('drive_bad_response', `Drive returned ${res.data.ids?.length} ids for ${n}`, true);
    }
    return ids;
  }

  async createRoot(req: RootRequest): Promise<CreatedRoot> {
    const marks = { caTransfer: req.transferId, caFolder: '', ...(req.galleryKey ? { caGallery: req.galleryKey } : {}) };
    const id = await this.#createFolder(reserved(req.target), req.rootName, 'root', marks);
    return rootOf(id);
  }

  async createFolder(req: FolderRequest): Promise<string> {
    const name = req.path.slice(req.path.lastIndexOf('/') + 1);
    const earlier = req.reuse ? (await this.#albumsIn(req.rootRef!)).get(folderKey(req.path)) : undefined;
    return earlier ?? this.#createFolder(reserved(req.target), name, req.parentRef, albumMarks(req.transferId, req.rootRef, req.path));
  }

  /**
   * By the marks every folder carries: the transfer and album path, one search per folder, a few at a time; in a
   * gallery folder an earlier transfer made (saving again), among the albums in it, whoever made them.
   */
  async findFolders(req: FindFoldersRequest): Promise<string[]> {
    const albums = req.reuse ? await this.#albumsIn(req.rootRef) : undefined;
    const ids: string[] = [];
    await eachLimited(req.paths, LOOKUPS_IN_FLIGHT, async (path, i) => {
      const id = albums ? albums.get(folderKey(path)) : await this.#folderByMarks(path, { caTransfer: req.transferId, caFolder: folderKey(path) });
      // Drive's search can lag a moment behind a create; a retry looks again. A folder the user removed stays missing.
      if (!id) throw new TransferError('drive_folder_missing', `the album folder "${path}" made earlier is not in Drive (removed?)`, true);
      ids[i] = id;
    });
    return ids;
  }

  /**
   * The albums in a gallery folder (any transfer's, not trashed) by their path mark, listed once per provider — one
   * activity, e.g. a batch of album folders — 1,000 a page, instead of one search per album.
   */
  #albumsIn(rootRef: string): Promise<Map<string, string>> {
    let albums = this.#albums.get(rootRef);
    if (!albums) {
      const q = [hasMark('caRoot', rootRef), `mimeType = '${FOLDER_MIME}'`, 'trashed = false'].join(' and ');
      albums = this.#listAll('listing the albums of the gallery folder', q, 'id,appProperties').then((folders) => {
        const byPath = new Map<string, string>();
        for (const f of folders) if (f.appProperties?.caFolder && !byPath.has(f.appProperties.caFolder)) byPath.set(f.appProperties.caFolder, f.id!);
        return byPath;
      });
      this.#albums.set(rootRef, albums);
      albums.catch(() => this.#albums.delete(rootRef));
    }
    return albums;
  }

  /** Every file matching `q`, 1,000 a page (Drive's most), with these fields. */
  async #listAll(what: string, q: string, fields: string): Promise<drive_v3.Schema$File[]> {
    const files: drive_v3.Schema$File[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#call.run(what, 'read', () =>
        this.#drive.files.list({ q, fields: `nextPageToken,files(${fields})`, pageSize: 1000, spaces: 'drive', ...(pageToken ? { pageToken } : {}) }, this.#opts),
      );
      files.push(...(page.data.files ?? []));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    return files;
  }

  /**
   * The newest gallery folder marked with this gallery (not trashed: children of a trashed folder are trashed too),
   * then every photo marked with that folder, 1,000 a page. Under the drive.file scope Drive shows us only what we
   * made, which is all this needs.
   */
  async findEarlierCopy(req: EarlierCopyRequest): Promise<EarlierCopy | null> {
    const q = [hasMark('caGallery', req.galleryKey), `mimeType = '${FOLDER_MIME}'`, 'trashed = false'].join(' and ');
    const res = await this.#call.run('looking for an earlier copy of the gallery', 'read', () =>
      this.#drive.files.list({ q, fields: 'files(id)', pageSize: 1, orderBy: 'createdTime desc', spaces: 'drive' }, this.#opts),
    );
    const id = res.data.files?.[0]?.id;
    if (!id) return null;
    const photos = [hasMark('caRoot', id), `mimeType != '${FOLDER_MIME}'`, 'trashed = false'].join(' and ');
    const files: EarlierCopy['files'] = [];
    for (const f of await this.#listAll('listing the photos of the earlier copy', photos, 'appProperties')) {
      const sourceId = Number(f.appProperties?.caSource);
      const crc = f.appProperties?.caCrc;
      if (Number.isSafeInteger(sourceId) && crc) files.push({ sourceId, crc });
    }
    return { root: rootOf(id), files };
  }

  /** A folder carrying all these marks, not trashed. */
  async #folderByMarks(path: string, marks: Record<string, string>): Promise<string | undefined> {
    const q = [...Object.entries(marks).map(([k, v]) => hasMark(k, v)), `mimeType = '${FOLDER_MIME}'`, 'trashed = false'].join(' and ');
    const res = await this.#call.run(`looking up folder "${path}"`, 'read', () => this.#drive.files.list({ q, fields: 'files(id)', pageSize: 1, spaces: 'drive' }, this.#opts));
    return res.data.files?.[0]?.id ?? undefined;
  }

  async #createFolder(id: string, name: string, parent: string, marks: Record<string, string>): Promise<string> {
    try {
      // Photos wait for their album: its create goes ahead of theirs.
      await this.#call.run(`creating folder "${name}"`, 'urgent', () =>
        this.#drive.files.create({ requestBody: { id, name, mimeType: FOLDER_MIME, parents: [parent], appProperties: marks }, fields: 'id' }, this.#opts),
      );
    } catch (err) {
      // 409: an earlier attempt created it and its answer was lost. Make sure it is our folder.
      if ((err as TransferError).code !== 'drive_conflict') throw err;
      const existing = await this.#get(id, 'id,mimeType,appProperties');
      if (existing.mimeType !== FOLDER_MIME || existing.appProperties?.caTransfer !== marks.caTransfer) {
        throw new TransferError('drive_id_taken', `reserved folder id ${id} belongs to something else`, false);
      }
    }
    return id;
  }

  async freeBytes(): Promise<number | null> {
    const res = await this.#call.run('reading the free space', 'read', () => this.#drive.about.get({ fields: 'storageQuota' }, this.#opts));
    return freeFromQuota(res.data.storageQuota ?? {});
  }

  async putFile(request: PutFileRequest): Promise<StoredFile> {
    const req: DriveRequest = { ...request, target: reserved(request.target) };
    try {
      return await (req.file.size <= this.options.multipartMaxBytes ? this.#putSmall(req) : this.#putResumable(req));
    } catch (err) {
      // A wrong copy must not stay in the user's Drive looking like the photo. Its id is spent (verify says so):
      // the photo counts as failed and a support retry gets a fresh id.
      if ((err as TransferError).code === VERIFICATION_FAILED) {
        await this.#call.run(`deleting the bad copy of "${req.file.name}"`, 'write', () => this.#drive.files.delete({ fileId: req.target }, this.#opts)).catch(() => undefined);
      }
      throw err;
    }
  }

  async revokeAccess(): Promise<void> {
    const token = this.auth.client.credentials.refresh_token;
    if (token) await revokeGoogleToken(this.auth.client, token, toTransferError);
  }

  /** Small files: read whole (≤ 5 MB), check, then one multipart request. Nothing lands in Drive unchecked. */
  async #putSmall(req: DriveRequest): Promise<StoredFile> {
    const { body, digest } = await readWhole(req.file, req.read);
    let bytesSent = 0;
    let stored: DriveFileResource;
    try {
      const res = await this.#call.run(`uploading "${req.file.name}"`, 'write', () => {
        bytesSent += body.length;
        return this.#drive.files.create(
          {
            requestBody: { id: req.target, name: req.file.name, parents: [req.parentId], appProperties: appProperties(req) },
            media: { mimeType: mimeTypeFor(req.file.name), body: Readable.from([body]) },
            fields: FILE_FIELDS,
          },
          this.#opts,
        );
      }, req.signal);
      stored = res.data as DriveFileResource;
    } catch (err) {
      if ((err as TransferError).code !== 'drive_conflict') throw err;
      stored = await this.#existing(req);
    }
    return verify(req, stored, digest.md5, bytesSent);
  }

  /**
   * Large files: Drive's resumable protocol, one chunk in memory. The final chunk is sent only after the whole
   * source has been read and its CRC32 checked, so a corrupt download never becomes a file in Drive.
   * After each committed chunk the session URI and the hash states are checkpointed; a later attempt asks Drive
   * what it really has (the checkpoint may be stale — heartbeats can be lost) and sends only the rest.
   */
  async #putResumable(req: DriveRequest): Promise<StoredFile> {
    const upload = (await this.#resumeUpload(req)) ?? (await this.#startUpload(req));
    return 'session' in upload ? this.#sendRest(req, upload) : upload;
  }

  /**
   * The checkpoint's session, where Drive still has it: how much Drive holds, and the saved hash state if it is
   * usable. A file Drive already finished is verified instead. Null when there is nothing to resume.
   */
  async #resumeUpload(req: DriveRequest): Promise<OpenUpload | StoredFile | null> {
    const saved = asCheckpoint(req.checkpoint);
    if (!saved) return null;
    const session = this.options.sealer.open('upload-session', saved.session);
    const state = await this.#sessionCall(`checking the upload of "${req.file.name}"`, (auth) => querySession(session, auth, req.file.size, req.signal), req.signal);
    if (state.state === 'complete') return this.#verifyByReading(req, state.file, saved.hashes);
    if (state.state === 'gone') return null;
    // Hash states are only usable from an offset at or before what Drive has; otherwise re-hash from 0.
    const hashes = await Hashes.create(saved.hashes.offset <= state.committed ? saved.hashes : undefined);
    return { session, committed: state.committed, hashes };
  }

  /** A new session under the reserved id; when the id already holds our file (a lost answer), that file is verified. */
  async #startUpload(req: DriveRequest): Promise<OpenUpload | StoredFile> {
    const { file } = req;
    const meta = { id: req.target, name: file.name, parents: [req.parentId], mimeType: mimeTypeFor(file.name), appProperties: appProperties(req) };
    try {
      const session = await this.#call.run(`starting the upload of "${file.name}"`, 'write', async () => startSession(this.options.apiUrl, await this.auth.authorization(), meta, file.size, req.signal), req.signal);
      return { session, committed: 0, hashes: await Hashes.create() };
    } catch (err) {
      if ((err as TransferError).code !== 'drive_conflict') throw err;
      return this.#verifyByReading(req, await this.#existing(req), undefined);
    }
  }

  /**
   * Reads the source from the hash state's offset and sends Drive what it lacks, one chunk-sized buffer at a time,
   * checkpointing after each committed chunk. The last bytes are held back until the CRC32 of the whole is known.
   */
  async #sendRest(req: DriveRequest, upload: OpenUpload): Promise<StoredFile> {
    const { file } = req;
    const { session, hashes: h, committed } = upload;
    const sealedSession = this.options.sealer.seal('upload-session', session);
    const checkpoint = () => req.saveCheckpoint({ session: sealedSession, hashes: h.save() } satisfies ResumableCheckpoint);
    checkpoint();

    let bytesSent = 0;
    const { last, digest } = await sendAllButLast({
      read: (offset) => req.read(offset),
      hashes: h,
      committed,
      size: file.size,
      chunkBytes: this.options.chunkBytes,
      send: async (chunk, start) => {
        bytesSent += (await this.#sendChunk(req, session, chunk, start)).sent;
      },
      checkpoint,
    });
    checkWhole(req, digest.crc);
    const finished = await this.#sendChunk(req, session, last, file.size - last.length);
    bytesSent += finished.sent;
    const final = finished.state;
    if (final.state !== 'complete') {
      throw new TransferError('drive_incomplete', `Drive did not finish "${file.name}" after its last byte`, true);
    }
    return verify(req, final.file, digest.md5, bytesSent);
  }

  /** Sends one chunk until Drive has all of it, resending only what a partial commit or a failure left out. */
  async #sendChunk(req: PutFileRequest, session: string, chunk: Buffer, start: number): Promise<{ state: SessionState; sent: number }> {
    const { file } = req;
    const end = start + chunk.length;
    let offset = start;
    let sent = 0;
    for (let failures = 0; ; ) {
      let state: SessionState;
      let tries = 0;
      try {
        state = await this.#sessionCall(`uploading "${file.name}"`, async (auth) => {
          // ProviderCaller calls this again after a 5xx, a reset or a 401; Drive may have committed some or all of
          // the chunk before the answer was lost. Resending from a committed offset is a 400 that would cost the
          // whole session: ask first, and send only what Drive lacks.
          if (tries++ > 0) {
            const now = await querySession(session, auth, file.size, req.signal);
            if (now.state !== 'partial' || now.committed < start || now.committed >= end) return now;
            offset = now.committed;
          }
          sent += end - offset;
          return putChunk(session, auth, chunk.subarray(offset - start), offset, file.size, req.signal);
        }, req.signal);
      } catch (err) {
        const failure = toTransferError(err, `uploading "${file.name}"`);
        if (!failure.retryable || ++failures > CHUNK_RETRIES || req.signal.aborted) throw failure;
        // The request may have been partly committed: ask before resending.
        state = await this.#sessionCall(`checking the upload of "${file.name}"`, (auth) => querySession(session, auth, file.size, req.signal), req.signal);
      }
      if (state.state === 'gone') {
        req.saveCheckpoint(undefined);
        throw new TransferError('drive_session_lost', `Drive lost the upload session of "${file.name}"; it restarts from the beginning`, true);
      }
      if (state.state === 'complete') return { state, sent };
      if (state.committed >= end) return { state, sent };
      if (state.committed < start) {
        req.saveCheckpoint(undefined);
        throw new TransferError('drive_session_rewound', `Drive reports fewer bytes of "${file.name}" than it confirmed before`, true);
      }
      offset = state.committed;
    }
  }

  /**
   * Session requests go through ProviderCaller for pacing/401/rate limits, but a 4xx other than those means the
   * session is unusable ("For any 4xx errors … restart the upload").
   */
  async #sessionCall(what: string, fn: (authorization: string) => Promise<SessionState>, signal: AbortSignal): Promise<SessionState> {
    try {
      return await this.#call.run(what, 'read', async () => fn(await this.auth.authorization()), signal);
    } catch (err) {
      const failure = toTransferError(err, what);
      if (!failure.retryable && failure.code.startsWith('drive_') && failure.code !== 'drive_storage_full') {
        return { state: 'gone' };
      }
      throw failure;
    }
  }

  async #get(id: string, fields: string): Promise<drive_v3.Schema$File> {
    const res = await this.#call.run(`reading file ${id}`, 'read', () => this.#drive.files.get({ fileId: id, fields }, this.#opts));
    return res.data;
  }

  /** The file an earlier attempt created under our reserved id. */
  async #existing(req: DriveRequest): Promise<DriveFileResource> {
    const file = (await this.#get(req.target, FILE_FIELDS)) as DriveFileResource;
    if (file.appProperties?.caTransfer !== req.transferId) {
      throw new TransferError('drive_id_taken', `reserved file id ${req.target} belongs to something else`, false);
    }
    return file;
  }

  /** Drive already has the whole file; read the source (from a saved hash state if any) to check it. */
  async #verifyByReading(req: PutFileRequest, stored: DriveFileResource, saved: SavedHashes | undefined): Promise<StoredFile> {
    const hashes = await Hashes.create(saved);
    for await (const piece of req.read(hashes.offset)) hashes.update(piece);
    const digest = hashes.digest();
    checkCrc(req.file, digest.crc);
    return verify(req, stored, digest.md5, 0);
  }
}

/**
 * The CRC32 of the whole source, before its last bytes go to Drive. On a mismatch the chunks Drive holds and the
 * saved hash states came from this bad download: resuming them would fail the same way on every attempt, so the
 * checkpoint is dropped and the next attempt starts over (new session, read from byte 0).
 */
function checkWhole(req: PutFileRequest, crc: string): void {
  try {
    checkCrc(req.file, crc);
  } catch (err) {
    req.saveCheckpoint(undefined);
    throw err;
  }
}

/** Drive names everything by the ids reserveTargets handed out: a request without one is a caller's bug. */
function reserved(target: string | undefined): string {
  if (!target) throw new TransferError('drive_no_target', 'a Drive write came without its reserved id', false);
  return target;
}

/**
 * The marks on a photo: the transfer (a retry finds its own write), the gallery's photo id and CRC32 and the gallery
 * folder (a later save of the gallery skips it). Each key and value together stay under Drive's 124 bytes.
 */
function appProperties(req: PutFileRequest): Record<string, string> {
  const forSaveAgain: Record<string, string> = req.rootRef ? { caCrc: req.file.crc, caRoot: req.rootRef } : {};
  return { caTransfer: req.transferId, caSource: String(req.file.sourceId), ...forSaveAgain };
}

/** The marks on an album folder: its path, the transfer that made it, and the gallery folder it is in. */
function albumMarks(transferId: string, rootRef: string | undefined, path: string): Record<string, string> {
  return { caTransfer: transferId, caFolder: folderKey(path), ...(rootRef ? { caRoot: rootRef } : {}) };
}


function hasMark(key: string, value: string): string {
  return `appProperties has { key='${key}' and value='${quoted(value)}' }`;
}

function rootOf(id: string): CreatedRoot {
  return { ref: id, url: `https://drive.google.com/drive/folders/${id}` };
}

/** A value inside a Drive search string: backslash and quote escaped. */
function quoted(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}

/** appProperties are limited to 124 bytes per key+value: long album paths are stored as a hash. */
function folderKey(path: string): string {
  return Buffer.byteLength(path) <= 100 ? path : `sha1:${createHash('sha1').update(path).digest('hex')}`;
}

function asCheckpoint(value: unknown): ResumableCheckpoint | undefined {
  const cp = value as ResumableCheckpoint | undefined;
  return cp && typeof cp.session === 'string' && cp.hashes && typeof cp.hashes.offset === 'number' ? cp : undefined;
}

/** What Drive stored must be what we sent; otherwise the copy is wrong, whatever Drive said. */
function verify(req: PutFileRequest, stored: DriveFileResource, md5: string, bytesSent: number): StoredFile {
  const size = Number(stored.size);
  if (size !== req.file.size || stored.md5Checksum !== md5) {
    throw new TransferError(
      VERIFICATION_FAILED,
      `Drive stored "${req.file.name}" as ${stored.size} bytes with MD5 ${stored.md5Checksum}, but we sent ${req.file.size} bytes with MD5 ${md5}`,
      false,
      // putFile deletes the wrong copy, and Drive never gives a deleted file's id out again.
      { targetSpent: true },
    );
  }
  // The CRC32 was checked while reading (checkCrc) before the MD5 could be.
  return { id: stored.id, size, verified: ['crc32', 'size', 'md5'], bytesSent };
}

/** Drive's storageQuota: int64s as strings; no `limit` means the account is unlimited. Usage counts Gmail and Photos too. */
export function freeFromQuota(quota: { limit?: string | null; usage?: string | null }): number | null {
  if (!quota.limit) return null;
  return Math.max(0, Number(quota.limit) - Number(quota.usage ?? 0));
}
