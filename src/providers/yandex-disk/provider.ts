import { setTimeout as delay } from 'node:timers/promises';
import { NAME_CONFLICT, TransferError, VERIFICATION_FAILED } from '../../shared/errors';
import { checkCrc, Hashes } from '../../source/reader';
import type { ProviderCaller } from '../caller';
import type { CreatedRoot, DestinationProvider, EarlierCopy, EarlierCopyRequest, FindFoldersRequest, FolderRequest, PutFileRequest, RootRequest, StoredFile } from '../types';
import { putToUploadLink, YandexApi, YandexDiskInfo, YandexLink, YandexResource } from './api';
import type { YandexAuth } from './auth';
import { YandexConflictError } from './errors';
import { besideName, EarlierCopyFinder, fileMarks, GALLERY_PROPERTY, hasMarks, isOlderVersion, isOtherGallerys, OWNER_PROPERTY, ROOT_PROPERTY, STAGING_PREFIX } from './save-again';

export interface YandexDiskOptions {
  /** Ask Yandex to download each photo from its gallery URL (no bytes through us); else stream every file. */
  serverSideFetch: boolean;
}

/** "Gallery", "Gallery (2)", … — a separate copy of a gallery gets its own folder, as in Drive; also "IMG (2).jpg", … */
const MAX_ROOT_VARIANTS = 100;
/** Operation polling: quick at first (small photos finish in well under a second), then every few seconds. */
const POLL_FIRST_MS = 200;
const POLL_MAX_MS = 5_000;

/** A folder's items per listing request when looking for an earlier copy. */
const PAGE_LIMIT = 1000;
/** Fresh upload links one try asks for when the previous one died before its upload. */
const MAX_UPLOAD_LINKS = 3;

/** Heartbeated per file; a retried activity resumes from it. */
interface YandexCheckpoint {
  /** The server-side fetch in progress: poll it rather than asking Yandex to download the photo again. */
  operation?: string;
  /** Server-side fetch failed for this photo: stream it. */
  streaming?: true;
  /**
   * Where the photo goes when not at its own name: an older version of it is there (saving again), so it is copied
   * beside it. Kept so that every later attempt writes to the same place.
   */
  path?: string;
  /**
   * Yandex let an attempt write to the photo's path (an upload link or a fetch, both refused while anything is
   * there): a file found there later is one this transfer wrote, and only such a file may be deleted.
   */
  claimed?: true;
}

/**
 * Yandex Disk behind the provider interface. Paths are the identity: a file's place is its path under the
 * gallery folder, so nothing is reserved (no reserveTargets; requests carry no target), and a retry after a lost
 * answer meets 409 "already exists" and verifies what is there. Folders are created one level per request (Disk's rule) and an "already exists"
 * answer for our own folder is success. Nothing is ever deleted but a file this transfer wrote.
 */
export class YandexDiskProvider implements DestinationProvider {
  /** Gallery folder path → its identity (the mark its albums and photos carry), for this provider's life (one activity). */
  readonly #identities = new Map<string, Promise<string>>();

  constructor(
    private readonly auth: YandexAuth,
    private readonly call: ProviderCaller,
    private readonly api: YandexApi,
    private readonly options: YandexDiskOptions,
  ) {}

  async createRoot(req: RootRequest): Promise<CreatedRoot> {
    const root = await this.#claimRoot(req.transferId, req.rootName, req.galleryKey);
    return rootOf(root);
  }

  /** The newest gallery folder marked with the gallery at the top of the Disk, and the photos marked under it. */
  async findEarlierCopy(req: EarlierCopyRequest): Promise<EarlierCopy | null> {
    const found = await new EarlierCopyFinder((what, path, fields, offset) => this.#page(what, path, fields, offset)).find(req.galleryKey);
    return found && { root: rootOf(found.root), files: found.files };
  }

  /**
   * The album, made and marked with its gallery folder's identity. Saving again (`reuse`), an album already at its
   * path is taken (a read, not a refused write); one the user trashed is gone from the paths and made again.
   */
  async createFolder(req: FolderRequest): Promise<string> {
    const path = `${req.parentRef}/${req.path.slice(req.path.lastIndexOf('/') + 1)}`;
    if (req.reuse && (await this.#metadata(path, 'type'))?.type === 'dir') return path;
    try {
      // Photos wait for their album: its create goes ahead of theirs.
      await this.call.run(`creating folder "${req.path}"`, 'urgent', () => this.api.call('PUT', '/v1/disk/resources', { path }));
    } catch (err) {
      // Inside our own gallery folder, an existing folder is one an earlier attempt made.
      if (!isConflict(err, 'DiskPathPointsToExistentDirectoryError')) throw err;
      return path;
    }
    if (req.rootRef) {
      // Part of making the album, so as urgent. A crash before it leaves an unmarked album: still used (by its path).
      const identity = await this.#identity(req.rootRef);
      await this.call.run(`marking folder "${req.path}"`, 'urgent', () =>
        this.api.call('PATCH', '/v1/disk/resources', { path }, { custom_properties: { [ROOT_PROPERTY]: identity } }),
      );
    }
    return path;
  }

  /** A folder's reference is its path: nothing to ask. */
  async findFolders(req: FindFoldersRequest): Promise<string[]> {
    return req.paths.map((path) => `${req.rootRef}/${path}`);
  }

  /** GET /v1/disk: the Disk's size and what is used (trash included: it counts against the space). */
  async freeBytes(): Promise<number | null> {
    const disk = await this.call.run('reading the free space', 'read', () => this.api.call<YandexDiskInfo>('GET', '/v1/disk', { fields: 'total_space,used_space' }));
    return Math.max(0, disk.total_space - disk.used_space);
  }

  async putFile(req: PutFileRequest): Promise<StoredFile> {
    const identity = req.rootRef ? await this.#identity(req.rootRef) : undefined;
    return this.#write(new PhotoWrite(req, identity));
  }

  async #write(write: PhotoWrite): Promise<StoredFile> {
    if (this.options.serverSideFetch && !write.state.streaming) {
      const fetched = await this.#fetchByUrl(write);
      if (fetched) return fetched;
      write.save({ streaming: true, operation: undefined });
    }
    return this.#stream(write);
  }

  async revokeAccess(): Promise<void> {
    await this.auth.revoke();
  }

  /**
   * The gallery folder at the top of the Disk: the first of "Name", "Name (2)", … that is free, marked with this
   * transfer's id (custom_properties) so a retry finds it again and another transfer never writes into it.
   *
   * It is made under a name only this transfer uses, marked, and then moved to its final name. Making "Name"
   * directly left twins: when that answer was lost (or the worker died before marking it), the folder existed
   * without a mark, nothing told it from a user's folder, and the retry took "Name (2)" beside an empty "Name".
   * Adopting an empty unmarked folder "made moments ago" would be a guess, and would let two transfers of the same
   * gallery share a folder. Here every step is recognisable on a retry: the staging name is ours by construction,
   * the mark is set before the folder gets its real name, and the move never overwrites (overwrite=false), so two
   * transfers racing for "Name" end with a folder each.
   */
  async #claimRoot(transferId: string, rootName: string, galleryKey: string | undefined): Promise<string> {
    const staging = `/${STAGING_PREFIX}${transferId}`;
    if (!(await this.#metadata(staging, 'type'))) {
      // No staging folder: never made, or already moved to its name by an earlier attempt.
      const earlier = await this.#markedRoot(transferId, rootName);
      if (earlier) return earlier;
      try {
        await this.call.run(`creating folder "${rootName}"`, 'write', () => this.api.call('PUT', '/v1/disk/resources', { path: staging }));
      } catch (err) {
        // The name carries our transfer id: an existing folder is the one our lost answer made.
        if (!isConflict(err, 'DiskPathPointsToExistentDirectoryError')) throw err;
      }
    }
    await this.call.run(`marking folder "${rootName}"`, 'write', () =>
      this.api.call('PATCH', '/v1/disk/resources', { path: staging }, { custom_properties: { [OWNER_PROPERTY]: transferId, ...(galleryKey ? { [GALLERY_PROPERTY]: galleryKey } : {}) } }),
    );
    return this.#nameRoot(staging, transferId, rootName);
  }

  /**
   * The folder an earlier attempt named, looked for where it would have gone: names are taken in order, so the
   * search ends at the first free one.
   */
  async #markedRoot(transferId: string, rootName: string): Promise<string | null> {
    for (let n = 1; n <= MAX_ROOT_VARIANTS; n++) {
      const path = rootVariant(rootName, n);
      const existing = await this.#metadata(path, 'type,custom_properties');
      if (!existing) return null;
      if (isMarked(existing, transferId)) return path;
    }
    return null;
  }

  /** Moves the marked staging folder to the first free name. */
  async #nameRoot(staging: string, transferId: string, rootName: string): Promise<string> {
    for (let n = 1; n <= MAX_ROOT_VARIANTS; n++) {
      const path = rootVariant(rootName, n);
      try {
        const link = await this.call.run(`naming folder "${rootName}"`, 'write', () =>
          this.api.call<YandexLink>('POST', '/v1/disk/resources/move', { from: staging, path, overwrite: 'false' }),
        );
        // The staging folder is empty, so Yandex moves it at once (201). Should it answer with an operation (202,
        // as for a folder with contents), the move ends later: wait for it; a failed one is tried again.
        if (link.href.includes('/v1/disk/operations/') && (await this.#waitFor(link.href, `naming folder "${rootName}"`)) === 'failed') {
          throw new TransferError('yadisk_unavailable', `Yandex Disk could not give the new folder the name "${path.slice(1)}"`, true);
        }
        return path;
      } catch (err) {
        if (isConflict(err)) continue; // taken: the next name
        if ((err as TransferError).code !== 'yadisk_not_found') throw err;
        // The staging folder is gone: a move whose answer was lost happened already — or someone removed it, and
        // the next attempt starts over.
        if (isMarked(await this.#metadata(path, 'type,custom_properties'), transferId)) return path;
        throw new TransferError('yadisk_folder_lost', `the new folder for "${rootName}" disappeared before it got its name`, true);
      }
    }
    throw new TransferError('yadisk_no_folder_name', `"${rootName}" and ${MAX_ROOT_VARIANTS - 1} numbered variants all exist on the Disk`, false);
  }

  /**
   * Server-side fetch: Yandex downloads the photo from the gallery itself. Returns null when it could not, so
   * the caller streams the photo instead (Yandex never retries a failed download by itself).
   * What is verified here: the size Yandex stored against the listing; Yandex's MD5 is recorded (the listing
   * has a CRC32 only, which Yandex does not report, and checking it would mean downloading the photo).
   */
  async #fetchByUrl(write: PhotoWrite): Promise<StoredFile | null> {
    const { req, path } = write;
    let operation = write.state.operation;
    if (!operation) {
      try {
        const link = await this.call.run(`asking Yandex Disk to fetch "${req.file.name}"`, 'write', () =>
          this.api.call<YandexLink>('POST', '/v1/disk/resources/upload', { url: req.file.url, path, disable_redirects: 'true' }),
        req.signal);
        operation = link.href;
      } catch (err) {
        if (isConflict(err, 'DiskResourceAlreadyExistsError')) return this.#verifyExisting(write, false);
        // Refused for this photo (e.g. a URL Yandex will not fetch): streaming may still work. Retryable
        // failures and those about the whole account are not the URL's fault.
        if (err instanceof TransferError && !err.retryable && !err.accountWide) return null;
        throw err;
      }
      // Accepted only while nothing is at the path, and a fetch never overwrites: what appears there is ours.
      write.save({ operation, claimed: true });
    }
    // 'gone': Yandex forgets finished operations after a while; what is at the path tells what happened.
    if ((await this.#waitFor(operation, `checking the copy of "${req.file.name}"`, req.signal)) === 'failed') return null;
    const stored = await this.#metadata(path, STORED_FIELDS);
    return stored ? this.#verified(write, stored, undefined, 0) : null;
  }

  /**
   * Streams the photo through us: CRC32 and size checked against the listing, MD5 against what Yandex stored.
   * Upload links die (30 minutes on the Disk, sooner under load): a dead one means "ask for a new link", not a
   * failed photo, and costs no attempt unless they keep dying.
   */
  async #stream(write: PhotoWrite): Promise<StoredFile> {
    const { req, path } = write;
    const sent = { bytes: 0 };
    for (let links = 1; ; links++) {
      const link = await this.#uploadLink(write);
      if (!link) return this.#verifyExisting(write, true);
      const put = await this.#putBody(req, link, sent);
      // 409: an earlier try's body arrived but its answer was lost.
      if (put === 'exists') return this.#verifyExisting(write, true);
      if (put === 'gone') {
        if (links < MAX_UPLOAD_LINKS) continue;
        throw new TransferError('yadisk_upload_link_expired', `Yandex Disk's upload links for "${req.file.name}" kept expiring before the upload`, true);
      }
      if (link.operation_id) {
        await this.#waitFor(`${this.api.origin}/v1/disk/operations/${encodeURIComponent(link.operation_id)}`, `checking the copy of "${req.file.name}"`, req.signal);
      }
      const stored = await this.#metadata(path, STORED_FIELDS);
      if (!stored) throw new TransferError('yadisk_not_found', `Yandex Disk accepted "${req.file.name}" but does not show it yet`, true);
      return this.#verified(write, stored, put.md5, sent.bytes);
    }
  }

  /** An upload link for the photo's path, or null when something is there already. */
  async #uploadLink(write: PhotoWrite): Promise<YandexLink | null> {
    let link: YandexLink;
    try {
      link = await this.call.run(`getting an upload link for "${write.req.file.name}"`, 'write', () =>
        this.api.call<YandexLink>('GET', '/v1/disk/resources/upload', { path: write.path, overwrite: 'false' }),
      write.req.signal);
    } catch (err) {
      if (!isConflict(err, 'DiskResourceAlreadyExistsError')) throw err;
      return null;
    }
    // Granted only while nothing is at the path (overwrite=false): a file found there from now on is ours.
    // Saved before any byte is sent, so a later attempt knows it too.
    if (!write.state.claimed) write.save({ claimed: true });
    return link;
  }

  /** One PUT of the whole photo to `link`; 'gone' when the link has died, 'exists' on 409. */
  async #putBody(req: PutFileRequest, link: YandexLink, sent: { bytes: number }): Promise<{ md5: string } | 'gone' | 'exists'> {
    let md5 = '';
    try {
      const outcome = await this.call.run(`uploading "${req.file.name}"`, 'write', async () => {
        // Each try reads the photo from the start: Yandex's upload links take a whole body or nothing.
        const hashes = await Hashes.create();
        const file = req.file;
        let bodyError: unknown;
        const body = (async function* checked(): AsyncGenerator<Buffer> {
          try {
            for await (const piece of req.read(0)) {
              hashes.update(piece);
              sent.bytes += piece.length;
              yield piece;
            }
            const digest = hashes.digest();
            // Thrown before the body ends, so the upload is cut off and nothing corrupt lands on the Disk.
            checkCrc(file, digest.crc);
            md5 = digest.md5;
          } catch (err) {
            bodyError = err;
            throw err;
          }
        })();
        try {
          return await putToUploadLink(link.href, body, file.size, req.signal);
        } catch (err) {
          // The HTTP client reports a failed body as its own error: the gallery's failure is the real one.
          throw bodyError ?? err;
        }
      }, req.signal);
      return outcome === 'gone' ? 'gone' : { md5 };
    } catch (err) {
      if (!isConflict(err)) throw err;
      return 'exists';
    }
  }

  /** Polls an operation with growing intervals until it ends; 'gone' when Yandex no longer knows it. */
  async #waitFor(href: string, what: string, signal?: AbortSignal): Promise<'success' | 'failed' | 'gone'> {
    let wait = POLL_FIRST_MS;
    for (;;) {
      let status: string | undefined;
      try {
        ({ status } = await this.call.run(what, 'read', () => this.api.follow<{ status?: string }>(href, signal), signal));
      } catch (err) {
        if ((err as TransferError).code === 'yadisk_not_found') return 'gone';
        throw err;
      }
      if (status === 'success') return 'success';
      // Older documentation says "failure".
      if (status === 'failed' || status === 'failure') return 'failed';
      await delay(wait, undefined, { signal });
      wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
    }
  }

  /**
   * Something is already at the path: an earlier try of ours whose answer was lost, or something that is not
   * ours. A file's size must match; when streaming we can also check its MD5, by reading the photo (no upload).
   */
  async #verifyExisting(write: PhotoWrite, checkMd5: boolean): Promise<StoredFile> {
    const { req, path } = write;
    const stored = await this.#metadata(path, STORED_FIELDS);
    if (!stored) throw new TransferError('yadisk_not_found', `"${req.file.name}" was reported to exist but is gone`, true);
    if (stored.type !== 'file') throw folderInTheWay(req, path);
    // Saving again: another version of the photo is there (changed at the source). It is kept; this one goes beside it.
    if (!write.state.claimed && write.identity && isOlderVersion(stored, write.identity, req.file)) return this.#writeBeside(write);
    let md5: string | undefined;
    if (checkMd5) {
      const hashes = await Hashes.create();
      for await (const piece of req.read(0)) hashes.update(piece);
      const digest = hashes.digest();
      checkCrc(req.file, digest.crc);
      md5 = digest.md5;
    }
    return this.#verified(write, stored, md5, 0);
  }

  /**
   * What Yandex stored must be the photo. A wrong copy is removed so it never looks like the photo — but only a
   * file this transfer wrote: a folder, or a file we cannot tell we wrote, may be the user's, and is kept.
   */
  async #verified(write: PhotoWrite, stored: YandexResource, md5: string | undefined, bytesSent: number): Promise<StoredFile> {
    const { req, path } = write;
    if (stored.type !== 'file') throw folderInTheWay(req, path);
    if (Number(stored.size) === req.file.size && (md5 === undefined || stored.md5 === md5)) {
      await this.#mark(write, stored, md5 !== undefined);
      return { id: path, size: req.file.size, verified: md5 === undefined ? ['size'] : ['crc32', 'size', 'md5'], bytesSent };
    }
    const difference = `Yandex Disk has "${req.file.name}" as ${stored.size} bytes with MD5 ${stored.md5}, but the photo is ${req.file.size} bytes${md5 ? ` with MD5 ${md5}` : ''}`;
    if (!write.state.claimed) {
      throw new TransferError(NAME_CONFLICT, `${difference}; nothing shows this transfer wrote that file, so it was kept and the photo not copied`, false);
    }
    await this.call
      .run(`deleting the bad copy of "${req.file.name}"`, 'write', () => this.api.call('DELETE', '/v1/disk/resources', { path, permanently: 'true' }))
      .catch(() => undefined);
    throw new TransferError(VERIFICATION_FAILED, `${difference}; the wrong copy was deleted`, false);
  }

  /**
   * The first free "Name (n).ext" beside the photo's path (or one holding this very version, marked by us: an
   * attempt whose checkpoint was lost), kept in the checkpoint, and the photo written there.
   */
  async #writeBeside(write: PhotoWrite): Promise<StoredFile> {
    const marks = fileMarks(write.identity!, write.req.file);
    for (let n = 2; n <= MAX_ROOT_VARIANTS; n++) {
      const path = besideName(write.ownPath, n);
      const existing = await this.#metadata(path, 'type,custom_properties');
      if (!existing || (existing.type === 'file' && hasMarks(existing, marks))) {
        write.moveTo(path);
        return this.#write(write);
      }
    }
    throw new TransferError(NAME_CONFLICT, `"${write.req.file.name}" changed in the gallery, and no free name was left beside its earlier copies`, false);
  }

  /**
   * Marks a verified copy with its gallery folder, photo id and CRC32 (a PATCH after the upload or the fetch: neither
   * takes custom_properties), so a later save skips it. Only a copy this transfer wrote, or one whose bytes were
   * checked: a file found there that was only checked by size may be someone else's. A crash before the mark
   * leaves an unmarked copy: the next save copies that photo again, never skips a wrong one.
   */
  async #mark(write: PhotoWrite, stored: YandexResource, bytesChecked: boolean): Promise<void> {
    if (!write.identity || (!write.state.claimed && !bytesChecked) || isOtherGallerys(stored, write.identity)) return;
    const marks = fileMarks(write.identity, write.req.file);
    if (hasMarks(stored, marks)) return;
    await this.call.run(`marking "${write.req.file.name}"`, 'write', () => this.api.call('PATCH', '/v1/disk/resources', { path: write.path }, { custom_properties: marks }), write.req.signal);
  }

  /** The identity of a gallery folder (its OWNER_PROPERTY mark), read once per provider (one activity). */
  #identity(rootRef: string): Promise<string> {
    let identity = this.#identities.get(rootRef);
    if (!identity) {
      identity = this.#metadata(rootRef, 'type,custom_properties').then((root) => {
        const owner = root?.type === 'dir' ? root.custom_properties?.[OWNER_PROPERTY] : undefined;
        if (typeof owner !== 'string') throw new TransferError('yadisk_folder_lost', `the gallery folder "${rootRef.slice(1)}" is no longer on the Disk`, false);
        return owner;
      });
      this.#identities.set(rootRef, identity);
      identity.catch(() => this.#identities.delete(rootRef));
    }
    return identity;
  }

  /** One page of a folder's items, PAGE_LIMIT at a time, with these fields. */
  async #page(what: string, path: string, fields: string, offset: number): Promise<{ items: YandexResource[]; total: number }> {
    const wanted = ['_embedded.total', ...fields.split(',').map((f) => `_embedded.items.${f}`)].join(',');
    const folder = await this.call.run(what, 'read', () =>
      this.api.call<YandexResource>('GET', '/v1/disk/resources', { path, fields: wanted, limit: String(PAGE_LIMIT), offset: String(offset) }),
    );
    return { items: folder._embedded?.items ?? [], total: folder._embedded?.total ?? 0 };
  }

  /** The resource at `path`, or null when there is none. */
  async #metadata(path: string, fields: string): Promise<YandexResource | null> {
    try {
      return await this.call.run('reading metadata', 'read', () => this.api.call<YandexResource>('GET', '/v1/disk/resources', { path, fields }));
    } catch (err) {
      if ((err as TransferError).code === 'yadisk_not_found') return null;
      throw err;
    }
  }
}

/**
 * One photo's write: its path, the identity of its gallery folder (to mark it with; none for a transfer that marks
 * nothing), and what its checkpoint says, saved as the write goes on.
 */
class PhotoWrite {
  /** Where the photo belongs by its name. */
  readonly ownPath: string;
  state: YandexCheckpoint;

  constructor(readonly req: PutFileRequest, readonly identity: string | undefined) {
    this.ownPath = `${req.parentId}/${req.file.name}`;
    this.state = { ...((req.checkpoint ?? {}) as YandexCheckpoint) };
  }

  /** Where it is written: its own path, or beside an older version of it. */
  get path(): string {
    return this.state.path ?? this.ownPath;
  }

  /** From now on written to `path`, which no attempt has written to yet. */
  moveTo(path: string): void {
    this.save({ path, claimed: undefined, operation: undefined });
  }

  save(change: Partial<YandexCheckpoint>): void {
    this.state = { ...this.state, ...change };
    this.req.saveCheckpoint(this.state);
  }
}

/** What a photo's checks and marks need of what Yandex stored. */
const STORED_FIELDS = 'type,size,md5,custom_properties';

const rootOf = (root: string): CreatedRoot => ({ ref: root, url: `https://disk.yandex.ru/client/disk${encodeURI(root)}` });

const rootVariant = (rootName: string, n: number): string => `/${n === 1 ? rootName : `${rootName} (${n})`}`;

function isMarked(resource: YandexResource | null, transferId: string): boolean {
  return resource?.type === 'dir' && resource.custom_properties?.[OWNER_PROPERTY] === transferId;
}

function folderInTheWay(req: PutFileRequest, path: string): TransferError {
  return new TransferError(NAME_CONFLICT, `a folder is already at "${path}", where the photo "${req.file.name}" belongs; the folder was left alone and the photo not copied`, false);
}

/** A 409 from Yandex, optionally of one kind (the `error` name in its body). */
function isConflict(err: unknown, name?: string): boolean {
  return err instanceof YandexConflictError && (name === undefined || err.yandexError === name);
}
