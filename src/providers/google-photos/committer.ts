import type { Sealer } from '../../shared/crypto';
import { TransferError } from '../../shared/errors';
import type { CommitItem, CommitOutcome } from '../types';
import { itemRefused, PHOTOS_TOKEN_INVALID, toPhotosError } from './errors';
import { Batcher } from './batcher';
import { BATCH_CREATE_MAX, type NewItem, type PhotosLibrary } from './library';
import { itemFileName, itemMarker, markerKey, parseItemMarker } from './titles';

/**
 * What putFile leaves for the commit: the upload token (sealed: it lets anyone make the item), when it was issued,
 * and the gallery (PutFileRequest.galleryKey) the item's description names for a later save of it.
 */
export interface PendingUpload {
  token: string;
  issuedAt: number;
  galleryKey?: string;
}

/** "Upload tokens are valid for one day"; an hour less, so one that waited in a queue is not refused mid-batch. */
const TOKEN_USABLE_MS = 23 * 3600_000;

interface Job {
  transferId: string;
  item: CommitItem;
  done(outcome: CommitOutcome): void;
}

/**
 * How long a batch that is not full may wait for items of uploads still running. Waiting costs only the unit's
 * latency: once the transfer's uploads go quiet the batch leaves at once, and units held here hold their window
 * slots, so uploads go quiet soon. 5 s sent a third of the batches half empty on a loaded 2-core machine.
 */
const LINGER_MS = 20_000;

/**
 * mediaItems:batchCreate for one transfer's uploads: items of its units that go to the same album are gathered into
 * calls of up to 50 (see Batcher), and a call after a lost answer finds what the lost one made before making more.
 */
export class BatchCommitter {
  readonly #batcher: Batcher<Job>;

  constructor(private readonly library: PhotosLibrary, private readonly sealer: Sealer, private readonly now = Date.now) {
    this.#batcher = new Batcher<Job>(BATCH_CREATE_MAX, LINGER_MS, (albumId, batch) =>
      this.#commitBatch(albumId, batch).catch((err) => finish(batch, failed(toPhotosError(err, 'adding photos')))),
    );
  }

  /** Runs an upload whose item will be committed here: batches not yet full wait for it. */
  uploading<R>(upload: () => Promise<R>): Promise<R> {
    return this.#batcher.uploading(upload);
  }

  /**
   * No abort signal: a call carries other units' items too, and is short; a unit cancelled meanwhile gets its
   * outcomes and drops them.
   */
  commit(transferId: string, items: CommitItem[]): Promise<CommitOutcome[]> {
    const byAlbum = new Map<string, Job[]>();
    const outcomes = items.map((item) => new Promise<CommitOutcome>((done) => {
      const jobs = byAlbum.get(item.parentId) ?? [];
      jobs.push({ transferId, item, done });
      byAlbum.set(item.parentId, jobs);
    }));
    for (const [albumId, jobs] of byAlbum) this.#batcher.add(albumId, jobs);
    return Promise.all(outcomes);
  }

  /** Resolves every job of the batch: found (made earlier), made now, refused, or to be uploaded again. */
  async #commitBatch(albumId: string, batch: Job[]): Promise<void> {
    let open = batch;
    if (open.some((job) => job.item.maybeCommitted)) open = await this.#findMade(albumId, open);
    const expired = open.filter((job) => this.now() - pendingOf(job).issuedAt > TOKEN_USABLE_MS);
    finish(expired, reupload('gphotos_upload_expired', 'the upload is older than its token lives (a day); it is uploaded again'));
    open = open.filter((job) => !expired.includes(job));
    if (open.length === 0) return;

    const items: NewItem[] = open.map((job) => ({
      uploadToken: this.sealer.open('upload-session', pendingOf(job).token),
      fileName: itemFileName(job.item.file.name),
      description: descriptionOf(job),
    }));
    try {
      const results = await this.library.batchCreate(albumId, items);
      open.forEach((job, i) => job.done(outcomeOf(job, results.find((r) => r.uploadToken === items[i]!.uploadToken))));
    } catch (err) {
      const failure = toPhotosError(err, `adding photos to album ${albumId}`);
      // A lost answer (the call may have landed), or the tokens already spent by a call whose answer was lost. A
      // daily cap was a refusal (nothing made), and looking would only meet it again.
      if (failure.dailyCap || (!failure.retryable && failure.code !== PHOTOS_TOKEN_INVALID)) return finish(open, failed(failure));
      const left = await this.#findMade(albumId, open);
      finish(left, failure.code === PHOTOS_TOKEN_INVALID ? reupload(failure.code, failure.message) : failed(failure));
    }
  }

  /**
   * Resolves the jobs whose item is in the album (by the transfer and index in our marker: also an item a worker
   * from before saving again made, whose description names nothing else); answers the others.
   */
  async #findMade(albumId: string, jobs: Job[]): Promise<Job[]> {
    const made = new Map<string, string>();
    for (const item of await this.library.items(albumId)) {
      const marker = item.description ? parseItemMarker(item.description) : null;
      if (marker) made.set(markerKey(marker.transferId, marker.index), item.id);
    }
    return jobs.filter((job) => {
      const id = made.get(markerKey(job.transferId, job.item.file.index));
      if (id) job.done({ ok: true, id });
      return !id;
    });
  }
}

function pendingOf(job: Job): PendingUpload {
  return job.item.pending as PendingUpload;
}

/** Our marker; with the photo's gallery, id and CRC32 when the upload was given its gallery. */
function descriptionOf(job: Job): string {
  const { file } = job.item;
  const { galleryKey } = pendingOf(job);
  return itemMarker(job.transferId, file.index, galleryKey ? { galleryKey, sourceId: file.sourceId, crc: file.crc } : undefined);
}

function outcomeOf(job: Job, result: { status: { code?: number; message?: string }; mediaItem?: { id: string } } | undefined): CommitOutcome {
  if (result?.mediaItem && !result.status.code) return { ok: true, id: result.mediaItem.id };
  if (!result) return { ok: false, error: new TransferError('gphotos_bad_response', `Google Photos said nothing about "${job.item.file.name}"`, true), reupload: false };
  return { ok: false, error: itemRefused(job.item.file.name, result.status.message), reupload: false };
}

function finish(jobs: Job[], outcome: CommitOutcome): void {
  for (const job of jobs) job.done(outcome);
}

const failed = (error: TransferError): CommitOutcome => ({ ok: false, error, reupload: false });
const reupload = (code: string, message: string): CommitOutcome => ({ ok: false, error: new TransferError(code, message, true), reupload: true });
