import { setTimeout as delay } from 'node:timers/promises';
import { ACCOUNT_WIDE_CODES, TransferError, VERIFICATION_FAILED } from '../../shared/errors';
import { checkCrc, Hashes } from '../../source/reader';
import type { ProviderCaller } from '../caller';
import type { CreatedFolders, DestinationProvider, FolderPlan, PutFileRequest, StoredFile } from '../types';
import { putToUploadLink, YandexApi, YandexLink, YandexResource } from './api';
import type { YandexAuth } from './auth';
import { YandexConflictError } from './errors';

export interface YandexDiskOptions {
  /** Ask Yandex to download each photo from its gallery URL (no bytes through us); else stream every file. */
  serverSideFetch: boolean;
}

/** Marks the gallery folder as ours, so a retry recognises it and another transfer never writes into it. */
const OWNER_PROPERTY = 'cloud_archive_transfer';
/** "Gallery", "Gallery (2)", … — a second save of the same gallery gets its own folder, as in Drive. */
const MAX_ROOT_VARIANTS = 100;
/** Operation polling: quick at first (small photos finish in well under a second), then every few seconds. */
const POLL_FIRST_MS = 200;
const POLL_MAX_MS = 5_000;

/** Heartbeated per file; a retried activity resumes from it. */
interface YandexCheckpoint {
  /** The server-side fetch in progress: poll it rather than asking Yandex to download the photo again. */
  operation?: string;
  /** Server-side fetch failed for this photo: stream it. */
  streaming?: true;
}

/**
 * Yandex Disk behind the provider interface. Paths are the identity: a file's target is its path under the
 * gallery folder, so nothing needs reserving, and a retry after a lost answer meets 409 "already exists" and
 * verifies what is there. Folders are created one level per request (Disk's rule) and an "already exists"
 * answer for our own folder is success.
 */
export class YandexDiskProvider implements DestinationProvider {
  constructor(
    private readonly auth: YandexAuth,
    private readonly call: ProviderCaller,
    private readonly api: YandexApi,
    private readonly options: YandexDiskOptions,
  ) {}

  async reserveTargets(count: number): Promise<string[]> {
    return new Array<string>(count).fill('');
  }

  async createFolders(plan: FolderPlan): Promise<CreatedFolders> {
    const root = await this.#claimRoot(plan.transferId, plan.rootName);
    const folderIds: Record<string, string> = { '': root };
    for (const folder of plan.folders) {
      const path = `${root}/${folder}`;
      try {
        await this.call.run(`creating folder "${folder}"`, 'write', () => this.api.call('PUT', '/v1/disk/resources', { path }));
      } catch (err) {
        // Inside our own gallery folder, an existing folder is one an earlier attempt made.
        if (!isConflict(err, 'DiskPathPointsToExistentDirectoryError')) throw err;
      }
      folderIds[folder] = path;
    }
    return { folderIds, rootUrl: `https://disk.yandex.ru/client/disk${encodeURI(root)}` };
  }

  async putFile(req: PutFileRequest): Promise<StoredFile> {
    const path = `${req.parentId}/${req.file.name}`;
    const checkpoint = (req.checkpoint ?? {}) as YandexCheckpoint;
    if (this.options.serverSideFetch && !checkpoint.streaming) {
      const fetched = await this.#fetchByUrl(req, path, checkpoint.operation);
      if (fetched) return fetched;
      req.saveCheckpoint({ streaming: true } satisfies YandexCheckpoint);
    }
    return this.#stream(req, path);
  }

  async revokeAccess(): Promise<void> {
    await this.auth.revoke();
  }

  /**
   * The gallery folder at the top of the Disk: the first of "Name", "Name (2)", … that is free or already ours.
   * Ours = marked with this transfer's id, so a retry after a lost answer finds it again.
   */
  async #claimRoot(transferId: string, rootName: string): Promise<string> {
    for (let n = 1; n <= MAX_ROOT_VARIANTS; n++) {
      const path = `/${n === 1 ? rootName : `${rootName} (${n})`}`;
      try {
        await this.call.run(`creating folder "${rootName}"`, 'write', () => this.api.call('PUT', '/v1/disk/resources', { path }));
      } catch (err) {
        if (!isConflict(err)) throw err;
        const existing = await this.#metadata(path, 'type,custom_properties');
        if (existing?.type !== 'dir' || existing.custom_properties?.[OWNER_PROPERTY] !== transferId) continue;
        return path;
      }
      // Created, not yet marked: a crash right here leaves an empty folder, and the retry takes the next name.
      await this.call.run(`marking folder "${rootName}"`, 'write', () =>
        this.api.call('PATCH', '/v1/disk/resources', { path }, { custom_properties: { [OWNER_PROPERTY]: transferId } }),
      );
      return path;
    }
    throw new TransferError('yadisk_no_folder_name', `"${rootName}" and ${MAX_ROOT_VARIANTS - 1} numbered variants all exist on the Disk`, false);
  }

  /**
   * Server-side fetch: Yandex downloads the photo from the gallery itself. Returns null when it could not, so
   * the caller streams the photo instead (Yandex never retries a failed download by itself).
   * What is verified here: the size Yandex stored against the listing; Yandex's MD5 is recorded (the listing
   * has a CRC32 only, which Yandex does not report, and checking it would mean downloading the photo).
   */
  async #fetchByUrl(req: PutFileRequest, path: string, resumed: string | undefined): Promise<StoredFile | null> {
    let operation = resumed;
    if (!operation) {
      try {
        const link = await this.call.run(`asking Yandex Disk to fetch "${req.file.name}"`, 'write', () =>
          this.api.call<YandexLink>('POST', '/v1/disk/resources/upload', { url: req.file.url, path, disable_redirects: 'true' }),
        req.signal);
        operation = link.href;
      } catch (err) {
        if (isConflict(err, 'DiskResourceAlreadyExistsError')) return this.#verifyExisting(req, path, false);
        // Refused for this photo (e.g. a URL Yandex will not fetch): streaming may still work. Retryable
        // failures and those about the whole account are not the URL's fault.
        if (err instanceof TransferError && !err.retryable && !ACCOUNT_WIDE_CODES.has(err.code)) return null;
        throw err;
      }
      req.saveCheckpoint({ operation } satisfies YandexCheckpoint);
    }
    // 'gone': Yandex forgets finished operations after a while; what is at the path tells what happened.
    if ((await this.#waitFor(operation, req)) === 'failed') return null;
    const stored = await this.#metadata(path, 'type,size,md5');
    return stored ? this.#verified(req, path, stored, undefined, 0) : null;
  }

  /** Streams the photo through us: CRC32 and size checked against the listing, MD5 against what Yandex stored. */
  async #stream(req: PutFileRequest, path: string): Promise<StoredFile> {
    let link: YandexLink;
    try {
      link = await this.call.run(`getting an upload link for "${req.file.name}"`, 'write', () =>
        this.api.call<YandexLink>('GET', '/v1/disk/resources/upload', { path, overwrite: 'false' }),
      req.signal);
    } catch (err) {
      if (!isConflict(err, 'DiskResourceAlreadyExistsError')) throw err;
      return this.#verifyExisting(req, path, true);
    }
    let bytesSent = 0;
    let md5 = '';
    try {
      await this.call.run(`uploading "${req.file.name}"`, 'write', async () => {
        // Each try reads the photo from the start: Yandex's upload links take a whole body or nothing.
        const hashes = await Hashes.create();
        const file = req.file;
        let bodyError: unknown;
        const body = (async function* checked(): AsyncGenerator<Buffer> {
          try {
            for await (const piece of req.read(0)) {
              hashes.update(piece);
              bytesSent += piece.length;
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
          await putToUploadLink(link.href, body, file.size, req.signal);
        } catch (err) {
          // The HTTP client reports a failed body as its own error: the gallery's failure is the real one.
          throw bodyError ?? err;
        }
      }, req.signal);
    } catch (err) {
      // 409: an earlier try's body arrived but its answer was lost.
      if (!isConflict(err)) throw err;
      return this.#verifyExisting(req, path, true);
    }
    if (link.operation_id) await this.#waitFor(`${this.api.origin}/v1/disk/operations/${encodeURIComponent(link.operation_id)}`, req);
    const stored = await this.#metadata(path, 'type,size,md5');
    if (!stored) throw new TransferError('yadisk_not_found', `Yandex Disk accepted "${req.file.name}" but does not show it yet`, true);
    return this.#verified(req, path, stored, md5, bytesSent);
  }

  /** Polls an operation with growing intervals until it ends; 'gone' when Yandex no longer knows it. */
  async #waitFor(href: string, req: PutFileRequest): Promise<'success' | 'failed' | 'gone'> {
    let wait = POLL_FIRST_MS;
    for (;;) {
      let status: string | undefined;
      try {
        ({ status } = await this.call.run(`checking the copy of "${req.file.name}"`, 'read', () =>
          this.api.follow<{ status?: string }>(href, req.signal),
        req.signal));
      } catch (err) {
        if ((err as TransferError).code === 'yadisk_not_found') return 'gone';
        throw err;
      }
      if (status === 'success') return 'success';
      // Older documentation says "failure".
      if (status === 'failed' || status === 'failure') return 'failed';
      await delay(wait, undefined, { signal: req.signal });
      wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
    }
  }

  /**
   * A file is already at the path: an earlier try of ours whose answer was lost (the folder is ours). Its size
   * must match; when streaming we can also check its MD5, by reading the photo (no upload).
   */
  async #verifyExisting(req: PutFileRequest, path: string, checkMd5: boolean): Promise<StoredFile> {
    const stored = await this.#metadata(path, 'type,size,md5');
    if (!stored) throw new TransferError('yadisk_not_found', `"${req.file.name}" was reported to exist but is gone`, true);
    let md5: string | undefined;
    if (checkMd5) {
      const hashes = await Hashes.create();
      for await (const piece of req.read(0)) hashes.update(piece);
      const digest = hashes.digest();
      checkCrc(req.file, digest.crc);
      md5 = digest.md5;
    }
    return this.#verified(req, path, stored, md5, 0);
  }

  /** What Yandex stored must be the photo; a wrong copy is removed so it never looks like the photo. */
  async #verified(req: PutFileRequest, path: string, stored: YandexResource, md5: string | undefined, bytesSent: number): Promise<StoredFile> {
    const sizeOk = stored.type === 'file' && Number(stored.size) === req.file.size;
    if (sizeOk && (md5 === undefined || stored.md5 === md5)) {
      return { id: path, size: req.file.size, md5: stored.md5 ?? '', bytesSent };
    }
    await this.call
      .run(`deleting the bad copy of "${req.file.name}"`, 'write', () => this.api.call('DELETE', '/v1/disk/resources', { path, permanently: 'true' }))
      .catch(() => undefined);
    throw new TransferError(
      VERIFICATION_FAILED,
      `Yandex Disk stored "${req.file.name}" as ${stored.size} bytes with MD5 ${stored.md5}, but the photo is ${req.file.size} bytes${md5 ? ` with MD5 ${md5}` : ''}`,
      false,
    );
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

/** A 409 from Yandex, optionally of one kind (the `error` name in its body). */
function isConflict(err: unknown, name?: string): boolean {
  return err instanceof YandexConflictError && (name === undefined || err.yandexError === name);
}
