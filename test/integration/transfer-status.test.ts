import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { GracefulServer } from '../../src/api/graceful-server';
import { STATUS_READING_MS, TransferStatusSource } from '../../src/api/transfers/status-source';
import { TransferWatchers } from '../../src/api/transfers/watchers';
import { sampleFiles } from '../helpers/drive-tree';
import { ARCHIVE_HOST, Stack, startStack } from '../helpers/stack';

/**
 * What status readers cost, on real Temporal: many readers of one transfer share one reading a second, event
 * streams are capped per client and in total, and each stream ends after its lifetime.
 */

const LIFETIME_SECONDS = 5;
let stack: Stack;
let galleryCounter = 700000;

before(async () => {
  stack = await startStack({
    env: {
      SSE_MAX_STREAMS: '3',
      SSE_MAX_STREAMS_PER_CLIENT: '2',
      SSE_STREAM_MAX_SECONDS: String(LIFETIME_SECONDS),
      // The test is the proxy: it names the client in X-Forwarded-For.
      TRUST_PROXY: 'loopback',
    },
  });
});
after(async () => stack?.close());

function newGallery(files: ReturnType<typeof sampleFiles>) {
  const galleryId = String(galleryCounter++);
  const hash = randomBytes(16).toString('hex');
  stack.gallery.addGallery({ galleryId, hash, files });
  return { archive_url: `https://${ARCHIVE_HOST}/g/api/stream/${galleryId}/${hash}?mod=web`, gallery_name: `Status ${galleryId}` };
}

/** The API's status routes over a client that counts what it asks Temporal (the real client, intercepted). */
async function countingApi(): Promise<{ url: string; counts: { describe: number; query: number }; close(): Promise<void> }> {
  const counts = { describe: 0, query: 0 };
  const client = new Client({
    connection: stack.client.connection,
    namespace: stack.config.TEMPORAL_NAMESPACE,
    interceptors: {
      workflow: [
        {
          describe: (input, next) => ((counts.describe += 1), next(input)),
          query: (input, next) => ((counts.query += 1), next(input)),
        },
      ],
    },
  });
  const logger = pino({ level: 'silent' });
  const source = new TransferStatusSource({ get: async () => client });
  const app = createApp({
    config: stack.config,
    publisher: { publish: () => Promise.reject(new Error('this API only reports status')) },
    claim: () => Promise.reject(new Error('this API only reports status')),
    logger,
    readiness: async () => ({ amqp: true, temporal: true }),
    transfers: { source, watchers: new TransferWatchers(source, logger) },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens an event stream as the given client; resolves once the answer's head is in. */
function openStream(transferId: string, client: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { 'x-forwarded-for': client };
  if (lastEventId) headers['last-event-id'] = lastEventId;
  const response = fetch(`${stack.apiUrl}/cloud_archive/transfers/${transferId}/events`, { headers, signal: abort.signal });
  return { response, abort: () => abort.abort() };
}

/**
 * Opens a stream as soon as a slot is free: a stream the client has closed gives its slot back once the server
 * has seen the connection go.
 */
async function openWhenFree(transferId: string, client: string, lastEventId?: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const stream = openStream(transferId, client, lastEventId);
    const res = await stream.response;
    if (res.status !== 429) return { ...stream, res };
    await res.arrayBuffer();
    assert.ok(Date.now() < deadline, `no stream slot for ${client} came free within 5 s`);
  }
}

/** Reads a stream's body to its end, or gives up (closing it) naming what it waited for. */
async function readToEnd(res: Response, abort: () => void, deadlineMs: number, what: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
    }, deadlineMs);
  });
  try {
    return await Promise.race([res.text(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

describe('transfer status under load', () => {
  test('concurrent GETs and a stream of one transfer share one Temporal reading a second', async (t) => {
    const files = sampleFiles({ small: 2, large: 0 });
    // One photo missing: the transfer ends partially_failed and its workflow stays open (RUNNING) for retries,
    // so every reading is a describe plus a `progress` query a worker must answer.
    stack.gallery.faultFile(files[1]!.id, [{ status: 404 }]);
    const { transferId } = await stack.consent(newGallery(files));
    await stack.gallery.waitForCallback((c) => (c.json as { transfer_id?: string }).transfer_id === transferId, 30_000);

    const api = await countingApi();
    try {
      const url = `${api.url}/cloud_archive/transfers/${transferId}`;
      const started = Date.now();
      const streamAbort = new AbortController();
      const stream = fetch(`${url}/events`, { signal: streamAbort.signal }).then((res) =>
        readToEnd(res, () => streamAbort.abort(), 10_000, 'the stream of a done transfer to end'),
      );
      const bodies = new Set<string>();
      let gets = 0;
      while (Date.now() - started < 3_000) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(url)));
        for (const res of answers) {
          assert.equal(res.status, 200);
          bodies.add(await res.text());
        }
        gets += answers.length;
      }
      assert.match(await stream, /"state":"partially_failed"/);
      const elapsed = Date.now() - started;
      const bound = Math.floor(elapsed / STATUS_READING_MS) + 1;
      t.diagnostic(`${gets} GETs and 1 stream in ${elapsed} ms: ${api.counts.describe} describes, ${api.counts.query} queries (bound ${bound})`);
      assert.ok(api.counts.describe >= 1 && api.counts.describe <= bound, `${api.counts.describe} describes for ${gets} GETs in ${elapsed} ms`);
      assert.ok(api.counts.query <= bound, `${api.counts.query} queries for ${gets} GETs in ${elapsed} ms`);
      assert.ok(gets >= 100, `enough load: ${gets} GETs`);
      assert.equal(bodies.size, 1, 'every reader saw the same operation');
    } finally {
      await api.close();
    }
  });

  describe('event streams of a transfer still queued', () => {
    let transferId: string;

    before(async () => {
      // With the bridge stopped the job waits in RabbitMQ: the transfer stays `queued` (never done) in this API.
      await stack.bridge.stop();
      transferId = (await stack.consent(newGallery(sampleFiles({ small: 1, large: 0 })))).transferId!;
      assert.ok(transferId);
    });

    test('are capped per client and in total, with 429 and a message saying which', async () => {
      const open: Array<ReturnType<typeof openStream>> = [];
      try {
        for (const client of ['203.0.113.1', '203.0.113.1', '203.0.113.2']) {
          const stream = openStream(transferId, client);
          open.push(stream);
          assert.equal((await stream.response).status, 200, `stream ${open.length} (${client})`);
        }
        const third = await openStream(transferId, '203.0.113.1').response;
        assert.equal(third.status, 429);
        assert.equal(third.headers.get('retry-after'), '30');
        const perClient = (await third.json()) as { error: string; message: string };
        assert.equal(perClient.error, 'too_many_streams');
        assert.match(perClient.message, /from your address \(at most 2\)/);

        const fourth = await openStream(transferId, '203.0.113.3').response;
        assert.equal(fourth.status, 429);
        assert.match(((await fourth.json()) as { message: string }).message, /as many open event streams as it allows \(3\)/);

        open.shift()!.abort();
        const again = await openWhenFree(transferId, '203.0.113.1');
        open.push(again);
        assert.equal(again.res.status, 200, 'a closed stream gave its slot back');
      } finally {
        for (const stream of open) stream.abort();
      }
    });

    test('end when the API closes (SIGTERM, after the drain pause), so the browser reconnects to another replica', async () => {
      const logger = pino({ level: 'silent' });
      const source = new TransferStatusSource({ get: async () => stack.client });
      source.markQueued(transferId); // as the API that queued it knows it
      const server = new GracefulServer();
      const app = createApp({
        config: stack.config,
        publisher: { publish: () => Promise.reject(new Error('this API only reports status')) },
        claim: () => Promise.reject(new Error('this API only reports status')),
        logger,
        readiness: async () => ({ amqp: true, temporal: true }),
        shutdown: server,
        transfers: { source, watchers: new TransferWatchers(source, logger) },
      });
      const port = await server.listen(app, 0);
      const abort = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/cloud_archive/transfers/${transferId}/events`, { signal: abort.signal });
      assert.equal(res.status, 200);
      const closed = server.close();
      const body = await readToEnd(res, () => abort.abort(), 2_000, 'the stream to end when its server closes (its lifetime is 5 s)');
      assert.match(body, /^retry: 2000$/m, 'the browser reconnects');
      assert.match(body, /event: operation\ndata: .*"state":"queued"/);
      await closed;
    });

    test(`end after their lifetime (${LIFETIME_SECONDS} s); the reconnect with Last-Event-ID is sent nothing old`, async () => {
      const started = Date.now();
      const first = await openWhenFree(transferId, '203.0.113.9'); // the previous test's streams may still be closing
      assert.equal(first.res.status, 200);
      const body = await readToEnd(first.res, first.abort, (LIFETIME_SECONDS + 10) * 1000, `the stream to end after its ${LIFETIME_SECONDS} s lifetime`);
      const lasted = Date.now() - started;
      assert.ok(lasted >= LIFETIME_SECONDS * 1000 - 50 && lasted < (LIFETIME_SECONDS + 10) * 1000, `lasted ${lasted} ms`);
      const events = [...body.matchAll(/^id: (\d+)\nevent: operation\ndata: (.+)$/gm)];
      assert.equal(events.length, 1, body);
      assert.equal((JSON.parse(events[0]![2]!) as { done: boolean; metadata: { state: string } }).metadata.state, 'queued');

      const again = await openWhenFree(transferId, '203.0.113.9', events[0]![1]!);
      assert.equal(again.res.status, 200);
      const rest = await readToEnd(again.res, again.abort, (LIFETIME_SECONDS + 10) * 1000, 'the reconnected stream to end after its lifetime');
      assert.doesNotMatch(rest, /event: operation/, 'nothing changed, so nothing is sent again');
    });
  });
});
