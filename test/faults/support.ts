import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Client } from '@temporalio/client';
import type { GoogleEmulator } from '../../src/emulators/google';
import type { CallbackRecord, GalleryFileSpec } from '../../src/emulators/gallery';
import { workflowIdFor } from '../../src/shared/types';
import { ARCHIVE_HOST, FAIL_LINK, SUCCESS_LINK, Stack } from '../helpers/stack';

export { queueDepth, waitFor } from '../helpers/polling';

/** Shared pieces of the fault suite (test/faults). */

export const KiB = 1024;
export const MiB = 1024 * 1024;

let galleryCounter = 900000 + Math.floor(Math.random() * 50000);

/** Registers a gallery in the emulator; returns the request fields that point at it. */
export function newGallery(stack: Stack, files: GalleryFileSpec[], name: string, rawListing?: string | Buffer) {
  const galleryId = String(galleryCounter++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files, rawListing });
  return { galleryId, archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name };
}

/** Workflow ids (one entry per run) matching a visibility query. */
export async function workflowRuns(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

/** Every run of the stack's task queue (visibility is eventually consistent: callers poll this). */
export function runsOnTaskQueue(stack: Stack): Promise<string[]> {
  return workflowRuns(stack.client, `TaskQueue = '${stack.config.TEMPORAL_TASK_QUEUE}'`);
}

/** True when a transfer workflow runs or ran under this id (a withdrawal's placeholder does not count). */
export async function workflowExists(client: Client, transferId: string): Promise<boolean> {
  return (await workflowTypeOf(client, transferId)) === 'transferWorkflow';
}

/** The workflow type registered under this transfer's id, or null when there is none. */
export async function workflowTypeOf(client: Client, transferId: string): Promise<string | null> {
  try {
    return (await client.workflow.getHandle(workflowIdFor(transferId)).describe()).type;
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return null;
    throw err;
  }
}

interface CallbackBody {
  status: string;
  failed_photos: number;
  files_total: number;
  files_uploaded: number;
  transfer_id: string;
  gallery_name: string;
  error?: string;
}

/**
 * The transfer's completion callback: waits for it, then checks it is the only one, signed, with this status and
 * failed_photos. Returns its body.
 */
export async function assertOneCallback(
  stack: Stack,
  transferId: string,
  expected: { status: string; failed_photos: number; files_total?: number; files_uploaded?: number },
  timeoutMs = 60_000,
): Promise<CallbackBody> {
  const mine = (c: CallbackRecord) => (c.json as { transfer_id?: string } | undefined)?.transfer_id === transferId;
  const callback = await stack.gallery.waitForCallback(mine, timeoutMs);
  const body = callback.json as CallbackBody;
  assert.ok(callback.signatureValid, 'the completion callback is signed with CALLBACK_SECRET');
  assert.equal(stack.gallery.callbacks().filter((c) => mine(c) && c.status === 200).length, 1, 'exactly one completion callback accepted');
  const actual: Record<string, unknown> = { status: body.status, failed_photos: body.failed_photos };
  if (expected.files_total !== undefined) actual.files_total = body.files_total;
  if (expected.files_uploaded !== undefined) actual.files_uploaded = body.files_uploaded;
  assert.deepEqual(actual, expected, `callback: ${JSON.stringify(body)}`);
  return body;
}

/** How many items named exactly `root` sit at the top of the user's Drive (a second one would be a duplicate transfer). */
export function rootCount(google: GoogleEmulator, root: string): number {
  return google.tree().filter((n) => n.path === root).length;
}

/**
 * Media bytes Drive received beyond each file's size, from the emulator's per-attempt records. Resumable sessions
 * count the bytes of every chunk (a chunk cut off by a crash counts what arrived); a complete multipart request
 * counts its media once. Multipart bodies cut off before their metadata was read cannot be attributed to a file:
 * they are reported apart (`unattributed`, framing included).
 */
export function resentBytes(google: GoogleEmulator, files: Array<{ name: string; size: number }>) {
  const records = google.stats.uploadRecords();
  const perFile = new Map<string, number>();
  for (const file of files) {
    const base = posix.basename(file.name);
    let media = 0;
    for (const r of records) {
      if (r.fileName !== base) continue;
      media += r.kind === 'resumable' ? r.bytes : file.size;
    }
    perFile.set(base, media - file.size);
  }
  const cut = records.filter((r) => r.kind === 'multipart' && r.fileName === '' && r.bytes > 0);
  const unattributed = cut.reduce((s, r) => s + r.bytes, 0);
  const attributed = [...perFile.values()].reduce((s, n) => s + n, 0);
  return { perFile, attributed, unattributed, cutRequests: cut.length, total: attributed + unattributed };
}

export interface ConsentResult {
  /** The id POST /cloud_archive handed out (also for flows that end at the fail link). */
  transferId: string;
  outcome: 'success' | 'fail';
  reason: string | null;
  location: URL;
}

/**
 * A browser through the consent flow, keeping the transfer id the POST answered (the fail link does not carry it).
 * The emulated Google consents at once.
 */
export async function consentFlow(stack: Stack, body: Record<string, string>): Promise<ConsentResult> {
  const googleOrigin = new URL(stack.env.GOOGLE_API_URL!).origin;
  const apiOrigin = new URL(stack.apiUrl).origin;
  const res = await fetch(`${stack.apiUrl}/cloud_archive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_success_link: SUCCESS_LINK,
      redirect_fail_link: FAIL_LINK,
      archive_type: 'originals',
      cloud_type: 'google_drive',
      ...body,
    }),
  });
  assert.equal(res.status, 200, `POST /cloud_archive: ${res.status}`);
  const { redirect_to, transfer_id } = (await res.json()) as { redirect_to: string; transfer_id: string };
  let url = redirect_to;
  for (let hop = 0; hop < 8; hop++) {
    const r = await fetch(url, { redirect: 'manual' });
    await r.arrayBuffer();
    const next = new URL(r.headers.get('location') ?? '', url);
    assert.ok(r.headers.get('location'), `no redirect from ${url} (HTTP ${r.status})`);
    if (next.origin !== apiOrigin && next.origin !== googleOrigin) {
      const success = `${next.origin}${next.pathname}` === SUCCESS_LINK.split('?')[0];
      if (success) assert.equal(next.searchParams.get('transfer_id'), transfer_id, 'the success link carries the transfer id');
      return { transferId: transfer_id, outcome: success ? 'success' : 'fail', reason: next.searchParams.get('reason'), location: next };
    }
    url = next.toString();
  }
  throw new Error('too many redirects');
}

/** A promise with its resolver, for events fired from emulator hooks. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export function seconds(since: number, until = Date.now()): string {
  return ((until - since) / 1000).toFixed(1);
}
