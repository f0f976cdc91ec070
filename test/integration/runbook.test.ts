import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { DevServer, startDevServer, temporalCliPath } from '../../src/devtools/temporal-server';
import { workflowIdFor } from '../../src/shared/types';
import type { FailedFile, TransferProgress } from '../../src/workflows';
import { sampleFiles } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * README's "Support runbook", run as written: every `temporal` command of its table (and every query of its Web UI
 * column, through `temporal workflow list -q`) goes through bash to the Temporal CLI, against a Temporal server in
 * namespace `cloud-archive` as in production — told only by TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, as support's
 * shell is. The transfer is a real one with a photo missing at the gallery, so failedFiles and retryFailed have
 * something to show. The table is parsed from README.md, so the document and this test cannot drift apart.
 */

const NAMESPACE = 'cloud-archive';
const COMMAND_TIMEOUT_MS = 60_000;

interface Row {
  to: string;
  webUi: string;
  cli: string;
}

/** The rows of the table under "## Support runbook". */
function runbookRows(readme: string): Row[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Support runbook\n'));
  assert.ok(section, 'README.md has no "## Support runbook" section');
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  assert.ok(lines.length > 2, 'the support runbook has no table');
  return lines.slice(2).map((line) => {
    const [to, webUi, cli] = line.replace(/^\|\s*|\s*\|$/g, '').split(/\s+\|\s+/);
    assert.ok(to && webUi && cli, `a runbook row is not "| to | Web UI | CLI |": ${line}`);
    return { to, webUi, cli };
  });
}

/** The first `code span` of a cell. */
function code(cell: string): string {
  const match = /`([^`]+)`/.exec(cell);
  assert.ok(match, `no command in "${cell}"`);
  return match[1]!;
}

let server: DevServer;
let stack: Stack;
let transferId: string;
let galleryId: string;
let failedName: string;
/** A second transfer, parked at Drive's daily upload limit, for "list parked transfers". */
let parkedId: string;

/**
 * A documented command with this transfer's ids, run by bash with the Temporal CLI as `temporal`: its exit code,
 * what it printed (stdout and stderr), and a transcript (command and output) for failure messages.
 */
async function run(command: string): Promise<{ code: number | null; out: string; transcript: string }> {
  const concrete = command.replaceAll('<id>', transferId).replaceAll('<gallery_id>', galleryId);
  assert.doesNotMatch(concrete, /<[a-z_]+>/, `a placeholder this test does not know: ${command}`);
  const child = spawn('bash', ['-c', `temporal() { "$TEMPORAL_CLI_BIN" "$@"; }\n${concrete}`], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_CLI_BIN: temporalCliPath(), TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  const exit = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code: exit, out, transcript: `$ ${concrete}\n(exit ${exit})\n${out}` };
}

/** Runs `command` until it exits 0 and `shows` holds (visibility lags a state change); fails after 30 s. */
async function runUntil(command: string, shows: (out: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { code, out, transcript } = await run(command);
    if (code === 0 && shows(out)) return out;
    if (Date.now() > deadline) assert.fail(`"${command}" did not show ${what} within 30 s; last run:\n${transcript}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function progress(): Promise<TransferProgress> {
  return stack.client.workflow.getHandle(workflowIdFor(transferId)).query<TransferProgress>('progress');
}

/** What each row says the command shows, checked on its output; `cancel` also ends the transfer. */
const checks: Record<string, (command: string) => Promise<void>> = {
  'find a transfer': async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    assert.match(out, new RegExp(`WorkflowId\\s+transfer-${transferId}\\n`), transcript);
    assert.match(out, /Type\s+transferWorkflow\b/, transcript);
    assert.match(out, new RegExp(`Namespace\\s+${NAMESPACE}\\b`), transcript);
    // The search attributes (printed as protobuf): the gallery and the state support filters on.
    assert.match(out, new RegExp(`GalleryId:[^\\n]*?data:"\\\\"${galleryId}\\\\""`), transcript);
    assert.match(out, /TransferState:[^\n]*?data:"\\"partially_failed\\""/, transcript);
  },
  'list parked transfers (waiting for a daily cap)': async (command) => {
    const out = await runUntil(command, (o) => o.includes(`transfer-${parkedId}`), `transfer-${parkedId}`);
    assert.doesNotMatch(out, new RegExp(`transfer-${transferId}\\b`), 'only parked transfers');
  },
  'all partially failed transfers of a gallery': async (command) => {
    await runUntil(command, (out) => out.includes(`transfer-${transferId}`), `transfer-${transferId}`);
  },
  'see why a photo failed': async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    const failed = jsonIn<FailedFile[]>(out);
    assert.deepEqual(failed.map((f) => [f.name, f.code]), [[failedName, 'source_not_found']], transcript);
    assert.ok(failed[0]!.reason.length > 0, transcript);
  },
  'see progress': async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    const shown = jsonIn<TransferProgress>(out);
    assert.deepEqual([shown.state, shown.filesTotal, shown.filesDone, shown.filesFailed], ['partially_failed', 3, 2, 1], transcript);
  },
  'retry the failed photos (within the retry window)': async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    assert.match(out, /\bfiles"?:\s*1\b/, transcript); // "answers how many": the update's result, { files: 1 }
  },
  'see failed photos beyond the first 1,000': async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    // One photo failed: nothing beyond the first 1,000 (the CLI prints the empty list as null).
    assert.match(out, /QueryResult\s+(null|\[\s*\])\s*$/, transcript);
  },
  're-send the completion callback (within the retry window)': async (command) => {
    const sent = () => stack.gallery.callbacks().filter((c) => (c.json as { transfer_id?: string }).transfer_id === transferId).length;
    // Refused while the retry of the row before runs: the command is run until it is accepted.
    await runUntil(command, (out) => /partially_failed/.test(out), 'the state the callback reports');
    // The first run's callback, the retry's, and the one sent again.
    await until('three callbacks for the transfer', async () => sent() >= 3);
  },
  cancel: async (command) => {
    const { code, out, transcript } = await run(command);
    assert.equal(code, 0, transcript);
    assert.match(out, /cancel/i, transcript);
    await assert.rejects(stack.result(transferId, 60_000), (err: unknown) => err instanceof WorkflowFailedError);
    // Cancelled in its retry window: the window closes; the outcome the gallery heard stands (no second callback).
    const ended = await progress();
    assert.deepEqual([ended.state, ended.retryWindowEndsAt], ['partially_failed', null]);
  },
};

/** The JSON value a `temporal` command printed (query and update results). */
function jsonIn<T>(out: string): T {
  const start = out.search(/[[{]/);
  assert.ok(start >= 0, `no JSON in:\n${out}`);
  return JSON.parse(out.slice(start).trim()) as T;
}

before(async () => {
  server = await startDevServer({ namespace: NAMESPACE });
  // A retry window long enough for every command to find the transfer open.
  // Drive's daily upload limit shows as rate limits: 1.2 s of them park a transfer.
  stack = await startStack({ env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: NAMESPACE, RETRY_WINDOW_HOURS: '1', QUOTA_PARK_AFTER_MINUTES: '0.02' } });
  galleryId = String(700000 + Math.floor(Math.random() * 100000));
  const hash = randomBytes(16).toString('hex');
  const files = sampleFiles({ small: 3, large: 0 });
  failedName = files[0]!.name;
  stack.gallery.addGallery({ galleryId, hash, files });
  stack.gallery.faultFile(files[0]!.id, [{ status: 404 }, { status: 404 }]); // missing at first, and at the retry
  const outcome = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: `Runbook ${galleryId}` });
  transferId = outcome.transferId!;
  await until('the transfer to finish its first run as partially_failed', async () => (await progress().catch(() => null))?.state === 'partially_failed');
  parkedId = await parkedTransfer();
});

/** A transfer that meets the user's daily upload limit (used up by now) and parks. */
async function parkedTransfer(): Promise<string> {
  stack.google.setOptions({ driveUploadBytesPerDay: stack.google.dailyUploads().bytes });
  const hash = randomBytes(16).toString('hex');
  const id = String(Number(galleryId) + 1);
  stack.gallery.addGallery({ galleryId: id, hash, files: sampleFiles({ small: 2, large: 0 }) });
  const outcome = await stack.consent({ archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${id}/${hash}?mod=web`, gallery_name: `Parked ${id}` });
  const handle = stack.client.workflow.getHandle(workflowIdFor(outcome.transferId!));
  await until('the second transfer to park', async () => (await handle.query<TransferProgress>('progress').catch(() => null))?.state === 'waiting_quota');
  return outcome.transferId!;
}

/** Polls `done` until it holds; fails after 60 s naming `what`. */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after 60 s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

after(async () => {
  await stack?.close();
  await server?.stop();
});

test('every command of the support runbook runs against the namespace in TEMPORAL_NAMESPACE and shows what it says', async () => {
  const rows = runbookRows(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'));
  assert.deepEqual(rows.map((r) => r.to).sort(), Object.keys(checks).sort(), 'the runbook rows and this test\'s checks differ');
  // The Web UI column's searches and filters are visibility queries: the CLI runs the same ones.
  for (const row of rows.filter((r) => /^(search|filter) `/.test(r.webUi))) {
    const id = code(row.webUi).includes('waiting_quota') ? parkedId : transferId;
    await runUntil(`temporal workflow list -q '${code(row.webUi)}'`, (out) => out.includes(`transfer-${id}`), `transfer-${id} (Web UI: ${row.to})`);
  }
  // cancel ends the transfer: whatever the table's order, it runs last.
  const ordered = [...rows.filter((r) => r.to !== 'cancel'), ...rows.filter((r) => r.to === 'cancel')];
  for (const row of ordered) {
    await checks[row.to]!(code(row.cli));
  }
});
