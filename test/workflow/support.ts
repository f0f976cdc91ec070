import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import type { CompletionReport, DailyCapped, EarlierCopyFound, FileOutcome, FileUnit, FolderBatch, FolderBatchResult, ParkOnCap, PlanSummary, TransferSettings, UnitFile } from '../../src/activities/types';
import { temporalCliPath } from '../../src/devtools/temporal-server';
import type { FileEntry } from '../../src/source/listing';
import { encodeSkipSet } from '../../src/shared/skip-set';
import { workflowIdFor, type TransferInput } from '../../src/shared/types';
import { transferWorkflow } from '../../src/workflows';
import { ArchiveType, CloudType, FilesFailed, FilesTotal, GalleryId, GalleryName, TransferState } from '../../src/temporal/search-attributes';
import { workflowBundle } from '../helpers/stack';

/**
 * The transfer workflow on a real Temporal server and a real worker with the real workflow bundle; only the
 * activities are stubs (plain functions over an in-memory gallery), so each test plans exactly what the photos do.
 *
 * The server is the Temporal CLI's dev server, started by `createLocal` from the CLI the project already builds
 * (the time-skipping test server is a download). It gets its own server rather than the one `npm test` runs,
 * because continue-as-new is triggered the real way: this server suggests it after SUGGEST_CAN_EVENTS events
 * instead of thousands, so a few hundred photos make the workflow continue as new.
 */

export const SUGGEST_CAN_EVENTS = 400;

export async function startEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      searchAttributes: [GalleryId, GalleryName, CloudType, ArchiveType, TransferState, FilesFailed, FilesTotal],
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CAN_EVENTS}`],
    },
  });
}

/** What a photo does when a unit carrying it runs: its `attempt`-th unit (1 = the first copy, 2 = the retry…). */
export type PhotoScript = (index: number, attempt: number) => 'ok' | 'hold' | { code: string; reason?: string; dailyCap?: { resumesAt: string } };

export interface GalleryOptions {
  files: number;
  settings?: Partial<TransferSettings>;
  photo?: PhotoScript;
  /** The gallery backend refuses every callback (as if it had for the 7 days the retries last). */
  refuseCallbacks?: boolean;
  /** Called as each unit starts (with the units running now, this one included); may delay it. */
  onUnitStart?: (running: number) => Promise<void> | void;
  /** A metadata step's `call`-th call (1 = the first) meets a daily cap resetting at this time (ISO), or goes through (null). */
  stepCap?: (step: MetadataStep, call: number) => string | null;
  /** Album folders (flat, under the gallery folder): photo i goes in folder i % folders. None by default. */
  folders?: number;
  /** Saving again: the photos (indices) an earlier copy in the destination holds already; unset: none; 'fails': the lookup fails. */
  earlier?: number[] | 'fails';
}

/** The metadata steps that may meet a daily cap. */
export type MetadataStep = 'createRoot' | 'freeBytes' | 'findFolders';

const DEFAULT_SETTINGS: TransferSettings = {
  concurrency: 4,
  filesPerActivity: 1,
  pageSize: 10,
  multipartMaxBytes: 1024 * 1024,
  maxFileAttempts: 1,
  heartbeatTimeoutSeconds: 2,
  retryWindowHours: 1,
  foldersPerActivity: 10,
  folderTimeoutSeconds: 60,
};

/** An in-memory gallery behind stub activities, and what the workflow asked of them. */
export class StubGallery {
  readonly settings: TransferSettings;
  readonly entries: FileEntry[];
  /** Every unit run, in start order. */
  readonly units: UnitFile[][] = [];
  /** Whether each unit was told to stop at a daily cap (FileUnit.parkOnCap), in start order. */
  readonly parkOnCap: boolean[] = [];
  readonly callbacks: CompletionReport[] = [];
  readonly attempts = new Map<number, number>();
  running = 0;
  /** Every call of a metadata step that may meet a daily cap, in order, and whether it was asked to answer one (ParkOnCap). */
  readonly stepCalls: Array<{ step: MetadataStep; parkOnCap: boolean }> = [];
  /** Units that ended by cancellation. */
  cancelledUnits = 0;
  revoked = 0;
  private reserved = 0;

  constructor(private readonly opts: GalleryOptions) {
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    const folders = opts.folders ?? 0;
    this.entries = Array.from({ length: opts.files }, (_, index) => {
      const folderIndex = folders > 0 ? index % folders : -1;
      return { index, sourceId: index, folder: folders > 0 ? `a${folderIndex}` : '', folderIndex, name: `${index}.jpg`, url: `u${index}`, size: 10, crc: '00000000' };
    });
  }

  /** The target each photo's units were given, in order. */
  targetsOf(index: number): string[] {
    return this.units.flat().filter((f) => f.index === index).map((f) => f.target);
  }

  activities() {
    const plan: PlanSummary = {
      fingerprint: 'fp',
      filesTotal: this.entries.length,
      bytesTotal: this.entries.length * 10,
      pageCount: Math.ceil(this.entries.length / this.settings.pageSize),
      folderCount: this.opts.folders ?? 0,
      rejected: [],
      rejectedCount: 0,
      settings: this.settings,
    };
    return {
      planTransfer: async () => plan,
      loadPage: async (input: { page: number; pageSize: number }) => this.entries.slice(input.page * input.pageSize, (input.page + 1) * input.pageSize),
      loadEntries: async (input: { indices: number[] }) => input.indices.map((i) => this.entries[i]!),
      reserveTargets: async (input: { count: number }) => Array.from({ length: input.count }, () => `t${this.reserved++}`),
      freeBytes: (input: ParkOnCap) => this.step('freeBytes', input, null), // unlimited
      createRoot: (input: ParkOnCap) => this.step('createRoot', input, { ref: 'root', url: 'https://drive.example/root' }),
      findEarlierCopy: async (): Promise<EarlierCopyFound | null> => {
        const held = this.opts.earlier;
        if (held === 'fails') throw ApplicationFailure.nonRetryable('Drive answered 500 every time', 'drive_server_error');
        if (!held) return null;
        const root = { ref: 'earlier-root', url: 'https://drive.example/earlier-root' };
        return { root, skip: encodeSkipSet(held, this.entries.length), files: held.length, bytes: held.length * 10 };
      },
      createFolderBatch: async (batch: FolderBatch): Promise<FolderBatchResult> => {
        const refs = batch.targets.map((_, i) => `folder-${batch.from + i}`);
        return { refs, chain: [] };
      },
      findFolders: (input: ParkOnCap & { indices: number[] }) => this.step('findFolders', input, input.indices.map((i) => `folder-${i}`)),
      transferFiles: (unit: FileUnit) => this.runUnit(unit),
      notifyCompletion: async (report: CompletionReport) => {
        if (this.opts.refuseCallbacks) throw ApplicationFailure.nonRetryable('the gallery backend answered 503 for 7 days', 'callback_refused');
        this.callbacks.push(report);
      },
      revokeAccess: async () => void this.revoked++,
    };
  }

  /** A metadata step: its answer, or the daily cap scripted for this call (thrown unless asked to answer it, as the activities do). */
  private async step<T>(step: MetadataStep, input: ParkOnCap, answer: T): Promise<T | DailyCapped> {
    const parkOnCap = input.parkOnCap === true;
    this.stepCalls.push({ step, parkOnCap });
    const resumesAt = this.opts.stepCap?.(step, this.stepCalls.filter((c) => c.step === step).length) ?? null;
    if (resumesAt === null) return answer;
    if (parkOnCap) return { dailyCap: { resumesAt } };
    throw ApplicationFailure.retryable('the daily quota is used up', 'gphotos_daily_quota');
  }

  private async runUnit(unit: FileUnit): Promise<FileOutcome[]> {
    this.units.push(unit.files);
    this.parkOnCap.push(unit.parkOnCap === true);
    this.running++;
    try {
      await this.opts.onUnitStart?.(this.running);
      const plans = unit.files.map((f) => {
        const attempt = (this.attempts.get(f.index) ?? 0) + 1;
        this.attempts.set(f.index, attempt);
        return (this.opts.photo ?? (() => 'ok'))(f.index, attempt);
      });
      if (plans.includes('hold')) await holdUntilCancelled();
      return unit.files.map((f, i): FileOutcome => {
        const p = plans[i]!;
        if (typeof p !== 'object') return { index: f.index, ok: true, bytes: f.size, bytesSent: f.size };
        return { index: f.index, ok: false, code: p.code, reason: p.reason ?? p.code, ...(p.dailyCap ? { dailyCap: p.dailyCap } : {}) };
      });
    } catch (err) {
      if (Context.current().cancellationSignal.aborted) this.cancelledUnits++;
      throw err;
    } finally {
      this.running--;
    }
  }
}

/** Heartbeats (so the cancellation reaches the activity) until the activity is cancelled. */
async function holdUntilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await ctx.sleep(200);
  }
}

/** A transfer workflow with a fresh input on `taskQueue` (a StubGallery's worker). */
export function startTransfer(env: TestWorkflowEnvironment, taskQueue: string) {
  const input = transferInput();
  return env.client.workflow.start(transferWorkflow, { args: [input], taskQueue, workflowId: workflowIdFor(input.transferId) });
}

export function transferInput(): TransferInput {
  const transferId = randomUUID();
  return {
    transferId,
    galleryId: '1',
    galleryName: 'Stub gallery',
    archiveUrl: 'https://gallery.example/g/1',
    listingUrl: 'https://gallery.example/api/1',
    archiveType: 'originals',
    cloudType: 'google_drive',
    sealedRefreshToken: 'sealed',
    requestedAt: new Date().toISOString(),
  };
}

/** Runs `body` with a worker for this gallery on a task queue of its own. */
export async function withWorker<T>(env: TestWorkflowEnvironment, gallery: StubGallery, body: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = `wf-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code: (await workflowBundle()).code },
    activities: gallery.activities(),
  });
  return worker.runUntil(body(taskQueue));
}

/**
 * The most copy units open at once, read from the workflow's history: scheduled and not yet closed. Exact, unlike a
 * count taken in the activities (a unit scheduled too many may start only after another has finished).
 */
export function maxUnitsInFlight(history: temporal.api.history.v1.IHistory): number {
  const units = new Set<string>();
  let open = 0;
  let most = 0;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'transferFiles') {
      units.add(String(event.eventId));
      most = Math.max(most, ++open);
    }
    const closed =
      event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes ?? event.activityTaskCanceledEventAttributes;
    if (closed && units.has(String(closed.scheduledEventId))) open--;
  }
  return most;
}
