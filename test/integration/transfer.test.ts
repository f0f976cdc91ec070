import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { Sealer } from '../../src/shared/crypto';
import { workflowIdFor } from '../../src/shared/types';
import { assertDriveTree, sampleFiles, SpecFile } from '../helpers/drive-tree';
import { queueDepth, waitFor } from '../helpers/polling';
import { ARCHIVE_HOST, FAIL_LINK, Stack, startStack } from '../helpers/stack';

/**
 * The full HTTP flow on real Temporal and RabbitMQ: POST → consent → callback → queue → bridge → workflow →
 * Drive (emulated) → signed completion callback. One stack, a fresh gallery per test.
 */

const KiB = 1024;
let stack: Stack;
let galleryCounter = 500000;

before(async () => {
  stack = await startStack({
    env: { MULTIPART_MAX_BYTES: String(1024 * KiB), UPLOAD_CHUNK_BYTES: String(256 * KiB), FILES_PER_ACTIVITY: '4' },
  });
});
after(async () => stack?.close());

/** Registers a gallery in the emulator and returns the body fields that point at it. */
function newGallery(files: SpecFile[], name = `Gallery ${galleryCounter}`) {
  const galleryId = String(galleryCounter++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  return { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: name };
}

function rootsIn(tree: { path: string }[], name: string) {
  return tree.filter((n) => n.path === name).length;
}

describe('transfer end to end', () => {
  test('a gallery lands in Drive file by file, and the backend gets a signed callback', async () => {
    const files = sampleFiles({ small: 12, large: 2, largeSize: 1300 * KiB });
    const body = newGallery(files, 'Wedding of A & B');
    const { location, transferId } = await stack.consent(body);
    assert.equal(`${location.origin}${location.pathname}`, 'https://gallery.example/done');
    assert.equal(location.searchParams.get('x'), '1', 'the success link keeps its own query');
    assert.ok(transferId && transferId.length >= 16, 'success redirect carries the transfer id');

    const result = (await stack.result(transferId)) as { state: string; filesDone: number; filesFailed: number; bytesDone: number };
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesDone, files.length);
    assert.equal(result.filesFailed, 0);
    assert.equal(result.bytesDone, files.reduce((s, f) => s + f.size, 0));
    assertDriveTree(stack.google, 'Wedding of A & B', files);

    const callback = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 10_000);
    assert.ok(callback.signatureValid, 'callback is signed with CALLBACK_SECRET');
    assert.deepEqual(
      { ...(callback.json as Record<string, unknown>), sent_at: undefined, folder_url: undefined },
      {
        status: 'succeeded',
        cloud_type: 'google_drive',
        archive_type: 'originals',
        failed_photos: 0,
        transfer_id: transferId,
        gallery_name: 'Wedding of A & B',
        archive_url: body.archive_url,
        files_total: files.length,
        files_uploaded: files.length,
        files_skipped: 0,
        folder_url: undefined,
        sent_at: undefined,
      },
    );
    assert.match(String((callback.json as { folder_url: string }).folder_url), /^https:\/\/drive\.google\.com\/drive\/folders\/[\w-]+$/);
    assert.ok(stack.google.revokedRefreshTokens().length >= 1, 'the Google token is revoked at the end');
  });

  test('status as a long-running operation, live over Server-Sent Events until done', async () => {
    const files = sampleFiles({ small: 6, large: 1, largeSize: 1100 * KiB });
    const { transferId } = await stack.consent(newGallery(files, 'Watched'));
    const url = `${stack.apiUrl}/cloud_archive/transfers/${transferId}`;
    const first = (await (await fetch(url)).json()) as { name: string; metadata: { state: string } };
    assert.equal(first.name, `transfers/${transferId}`);
    assert.ok(['queued', 'running', 'succeeded'].includes(first.metadata.state), first.metadata.state);

    const res = await fetch(`${url}/events`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = parseSse(await res.text()); // the server ends the stream after the terminal state
    assert.ok(events.length >= 1);
    const ids = events.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'event ids grow');
    const last = JSON.parse(events.at(-1)!.data) as { done: boolean; metadata: Record<string, unknown> };
    assert.equal(last.done, true);
    assert.equal(last.metadata.state, 'succeeded');
    assert.equal(last.metadata.files_done, files.length);
    assert.equal(last.metadata.files_total, files.length);
    assert.equal(last.metadata.bytes_done, files.reduce((s, f) => s + f.size, 0));
    assert.match(String(last.metadata.folder_url), /^https:\/\/drive\.google\.com\//);

    const unknown = `${stack.apiUrl}/cloud_archive/transfers/${'A'.repeat(22)}`;
    assert.equal((await fetch(unknown)).status, 404);
    assert.equal((await fetch(`${unknown}/events`)).status, 404);
    assert.equal((await fetch(`${stack.apiUrl}/cloud_archive/transfers/x'%20OR%201=1`)).status, 404);
  });

  test('the API describes itself: OpenAPI JSON and interactive docs served from our origin', async () => {
    const spec = await fetch(`${stack.apiUrl}/cloud_archive/openapi.json`);
    assert.equal(spec.status, 200);
    assert.ok(((await spec.json()) as { paths: Record<string, unknown> }).paths['/cloud_archive']);
    const docs = await fetch(`${stack.apiUrl}/cloud_archive/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui-bundle\.js/);
    assert.equal((await fetch(`${stack.apiUrl}/cloud_archive/docs/assets/swagger-ui-bundle.js`)).status, 200);
  });

  test('Prometheus metrics count what happened (API, bridge and worker share this process here)', async () => {
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    assert.ok(value(/cloud_archive_jobs_published_total\{outcome="confirmed"\} (\d+)/) >= 1, 'jobs published');
    assert.ok(value(/cloud_archive_jobs_consumed_total\{outcome="started"\} (\d+)/) >= 1, 'jobs consumed');
    assert.ok(value(/cloud_archive_files_total\{outcome="copied",code=""\} (\d+)/) >= 1, 'files copied');
    assert.ok(value(/cloud_archive_bytes_uploaded_total (\d+)/) > 0, 'bytes uploaded');
    assert.match(text, /cloud_archive_http_request_duration_seconds_count\{method="POST",route="\/cloud_archive",status="200"\} \d+/);
    assert.doesNotMatch(text, /transfers\/[A-Za-z0-9_-]{22}/, 'no transfer ids in labels');
  });

  test('consent denied → fail link, nothing queued or started', async () => {
    stack.google.setOptions({ consent: 'deny' });
    try {
      const { location, transferId } = await stack.consent(newGallery(sampleFiles({ small: 1, large: 0 })));
      assert.equal(`${location.origin}${location.pathname}`, FAIL_LINK);
      assert.equal(location.searchParams.get('reason'), 'access_denied');
      assert.equal(transferId, null);
    } finally {
      stack.google.setOptions({ consent: 'allow' });
    }
  });

  test('a tampered state gets a 400 page, not a redirect', async () => {
    const res = await fetch(`${stack.apiUrl}/cloud_archive/oauth/google/callback?code=abc&state=v1.AAAA${'B'.repeat(60)}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('location'), null);
  });

  test('the same job delivered twice starts one transfer and uploads each file once', async () => {
    const files = sampleFiles({ small: 5, large: 0 });
    const body = newGallery(files, 'Twice');
    const { transferId } = await stack.consent(body);
    assert.ok(transferId);
    // Re-publish exactly the message the API published (as a redelivery would), while the first runs.
    const connection = await amqp.connect(stack.config.AMQP_URL);
    const channel = await connection.createConfirmChannel();
    const sealer = new Sealer(stack.config.SECRET_KEY);
    const job = {
      v: 1,
      transfer_id: transferId,
      created_at: new Date().toISOString(),
      cloud_type: 'google_drive',
      archive_type: 'originals',
      archive_url: body.archive_url,
      gallery_id: new URL(body.archive_url).pathname.split('/')[4],
      gallery_name: 'Twice',
      sealed_refresh_token: sealer.seal('refresh-token', 'not-used-because-the-transfer-exists'),
    };
    channel.sendToQueue(stack.config.AMQP_QUEUE, Buffer.from(JSON.stringify(job)), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    const result = (await stack.result(transferId)) as { state: string };
    assert.equal(result.state, 'succeeded');
    // Wait until the queue is drained (the duplicate was acked), then count runs with this id.
    await waitFor('the job queue to drain', async () => (await queueDepth(stack.config.AMQP_URL, stack.config.AMQP_QUEUE)) === 0);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${workflowIdFor(transferId)}'` })) runs.push(wf);
    assert.equal(runs.length, 1, 'exactly one workflow run for the transfer');
    assertDriveTree(stack.google, 'Twice', files);
  });

  test('transient download and upload failures are retried until the files are copied', async () => {
    const files = sampleFiles({ small: 4, large: 1, largeSize: 1100 * KiB });
    const [small, , , , large] = files;
    stack.gallery.faultFile(small!.id, [{ status: 503 }, { resetAfterBytes: 100 }]);
    stack.gallery.faultFile(large!.id, [{ resetAfterBytes: 400 * KiB }]);
    stack.google.faults.add({ op: 'multipart', times: 1, action: { status: 503 } });
    stack.google.faults.add({ op: 'chunk', times: 1, action: { status: 500 } });
    stack.google.faults.add({ op: 'chunk', times: 1, action: 'commitThenReset' });
    const { transferId } = await stack.consent(newGallery(files, 'Flaky'));
    const result = (await stack.result(transferId!)) as { state: string; filesFailed: number };
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesFailed, 0);
    assertDriveTree(stack.google, 'Flaky', files);
  });

  test('Drive rate limits on reads (generateIds, upload status queries) are waited out, not spent: exact tree', async () => {
    const files = sampleFiles({ small: 4, large: 1, largeSize: 1100 * KiB });
    const google = stack.google;
    const limitedBefore = { ...google.stats.rateLimitedByOp };
    const waitsBefore = await metric('cloud_archive_rate_limit_waits_total');
    // Reserving the Drive ids: three answers in a row (the third one costs the worker a 1 s backoff).
    google.faults.add({ op: 'generateIds', times: 2, action: { rateLimit: '403 rateLimitExceeded' } });
    google.faults.add({ op: 'generateIds', times: 1, action: { rateLimit: '429 rateLimitExceeded' } });
    // A failed chunk makes the worker ask the session what it has: those questions are rate-limited too.
    google.faults.add({ op: 'chunk', times: 1, action: { status: 503 } });
    google.faults.add({ op: 'statusQuery', times: 1, action: { rateLimit: '403 rateLimitExceeded' } });
    google.faults.add({ op: 'statusQuery', times: 1, action: { rateLimit: '429 rateLimitExceeded', retryAfter: 1 } });
    const { transferId } = await stack.consent(newGallery(files, 'Paced reads'));
    const result = (await stack.result(transferId!)) as { state: string; filesFailed: number };
    assert.equal(result.state, 'succeeded', JSON.stringify(await failedFiles(transferId!)));
    assert.equal(result.filesFailed, 0);
    assertDriveTree(stack.google, 'Paced reads', files);

    const limited = (op: 'generateIds' | 'statusQuery') => (google.stats.rateLimitedByOp[op] ?? 0) - (limitedBefore[op] ?? 0);
    assert.deepEqual({ generateIds: limited('generateIds'), statusQuery: limited('statusQuery') }, { generateIds: 3, statusQuery: 2 }, 'every rate-limit fault fired');
    assert.ok((await metric('cloud_archive_rate_limit_waits_total')) - waitsBefore >= 5, 'the worker took each answer for a rate limit and waited');
    const attempts = await activityAttempts(transferId!);
    assert.ok(attempts.some(({ activity }) => activity === 'reserveTargets'), JSON.stringify(attempts));
    assert.deepEqual(attempts.filter(({ attempt }) => attempt !== 1), [], 'no activity spent an attempt on a rate limit');
  });

  test('a missing photo is counted in failed_photos, explained, and copied by retryFailed once it is back', async () => {
    const files = sampleFiles({ small: 3, large: 0 });
    stack.gallery.faultFile(files[1]!.id, [{ status: 404 }]); // missing now; back when support retries
    const { transferId } = await stack.consent(newGallery(files, 'Missing'));
    const handle = stack.client.workflow.getHandle(workflowIdFor(transferId!));
    const first = await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 20_000);
    assert.equal((first.json as { failed_photos: number; status: string }).failed_photos, 1);
    assert.equal((first.json as { status: string }).status, 'partially_failed');
    assertDriveTree(stack.google, 'Missing', files, { missing: [files[1]!.id] });

    const failed = (await handle.query('failedFiles')) as Array<{ name: string; reason: string }>;
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.name, /IMG_0001\.jpg$/);
    assert.match(failed[0]!.reason, /gallery has no file/);
    const waiting = (await handle.query('progress')) as { state: string; retryWindowEndsAt: string | null; filesFailed: number };
    assert.equal(waiting.state, 'partially_failed');
    assert.equal(waiting.filesFailed, 1);
    const windowMs = stack.config.RETRY_WINDOW_HOURS * 3600_000;
    assert.ok(waiting.retryWindowEndsAt && Date.parse(waiting.retryWindowEndsAt) > Date.now() + windowMs / 2, 'stays open for RETRY_WINDOW_HOURS');
    const revokedWhileOpen = stack.google.revokedRefreshTokens().length;

    assert.deepEqual(await handle.executeUpdate('retryFailed'), { files: 1 });
    const second = await stack.gallery.waitForCallback(
      (c) => (c.json as { transfer_id?: string }).transfer_id === transferId && c !== first,
      20_000,
    );
    assert.equal((second.json as { failed_photos: number }).failed_photos, 0);
    assert.ok(second.signatureValid);
    const result = (await handle.result()) as { state: string; filesDone: number };
    assert.equal(result.state, 'succeeded');
    assert.equal(result.filesDone, 3);
    assertDriveTree(stack.google, 'Missing', files);
    assert.equal(stack.google.revokedRefreshTokens().length, revokedWhileOpen + 1, 'token revoked once the retry is done');
    await assert.rejects(handle.executeUpdate('retryFailed'), 'no retry once the transfer is over');
  });

  test('an access token that expires mid-upload is refreshed and the upload goes on', async () => {
    const files = sampleFiles({ small: 2, large: 1, largeSize: 1200 * KiB });
    let chunks = 0;
    // On the second chunk every access token dies (as after an hour with Google) and that chunk gets a 401.
    stack.google.faults.add({
      op: 'chunk',
      times: 1,
      when: () => {
        if (++chunks !== 2) return false;
        stack.google.expireAllAccessTokens();
        return true;
      },
      action: { status: 401, reason: 'authError', message: 'Invalid Credentials' },
    });
    const refreshesBefore = stack.google.stats.tokenRefreshes;
    const { transferId } = await stack.consent(newGallery(files, 'Expiring'));
    const result = (await stack.result(transferId!)) as { state: string };
    assert.equal(result.state, 'succeeded', JSON.stringify(await failedFiles(transferId!)));
    assert.ok(stack.google.stats.tokenRefreshes > refreshesBefore + 1, 'the access token was refreshed after it expired');
    assertDriveTree(stack.google, 'Expiring', files);
    assert.equal(rootsIn(stack.google.tree(), 'Expiring'), 1);
  });
});

/** A counter of the in-process roles' Prometheus registry (the API serves it). */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

/** Every activity of the transfer with the attempt it completed on (history keeps only the last attempt's start). */
async function activityAttempts(transferId: string): Promise<Array<{ activity: string; attempt: number }>> {
  const history = await stack.client.workflow.getHandle(workflowIdFor(transferId)).fetchHistory();
  const scheduled = new Map<string, string>();
  const attempts: Array<{ activity: string; attempt: number }> = [];
  for (const event of history.events ?? []) {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (type) scheduled.set(String(event.eventId), type);
    const started = event.activityTaskStartedEventAttributes;
    if (started) attempts.push({ activity: scheduled.get(String(started.scheduledEventId)) ?? '?', attempt: started.attempt ?? 0 });
  }
  return attempts;
}

function failedFiles(transferId: string) {
  return stack.client.workflow.getHandle(workflowIdFor(transferId)).query('failedFiles');
}

function parseSse(text: string): Array<{ id?: string; event?: string; data: string }> {
  return text
    .split('\n\n')
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^(id|event|data): (.*)$/.exec(line);
        if (m) fields[m[1]!] = m[2]!;
      }
      return fields;
    })
    .filter((f) => f.event === 'operation')
    .map((f) => ({ id: f.id, event: f.event, data: f.data! }));
}
