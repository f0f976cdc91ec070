import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { TransferError } from '../../src/shared/errors';
import { parseHostList } from '../../src/shared/hosts';
import { isAddressAllowed } from '../../src/source/guard';
import { SourceHttp } from '../../src/source/http';
import { readSource } from '../../src/source/reader';

/**
 * The download client against a misbehaving server on loopback (the address rule as with the local emulators):
 * unwanted bodies are cut after a cap instead of read to their end, and a download that stops making progress is
 * aborted after the stall time with a retryable error — but time the consumer keeps the bytes does not count.
 */

const KiB = 1024;
const STALL_MS = 1000;
let server: Server;
let host: string;
/** Per request path: body bytes the server managed to write, and whether its connection has closed. */
const served = new Map<string, { bytes: number; closed: Promise<unknown> }>();

/** Writes 64 KiB pieces, waiting for each to be flushed, until the client goes away. */
async function endless(res: ServerResponse, path: string): Promise<void> {
  const piece = Buffer.alloc(64 * KiB, 0x61);
  const record = served.get(path)!;
  while (!res.destroyed) {
    const ok = res.write(piece);
    record.bytes += piece.length;
    if (!ok) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? '/';
  served.set(path, { bytes: 0, closed: once(res, 'close') });
  const done = (status: number, body: Buffer): void => void res.writeHead(status, { 'content-length': String(body.length) }).end(body);
  switch (path) {
    case '/endless-error':
      res.writeHead(503, { 'content-type': 'text/html' });
      return void endless(res, path);
    case '/endless-redirect':
      res.writeHead(302, { location: '/small' });
      return void endless(res, path);
    case '/small':
      return done(200, Buffer.from('small'));
    case '/silent-headers':
      return; // never answers
    case '/stall': {
      // Half of the body, then silence.
      res.writeHead(200, { 'content-length': String(256 * KiB) });
      res.write(Buffer.alloc(128 * KiB, 0x62));
      return;
    }
    case '/trickle': {
      // 10 bytes every 100 ms: always something arriving, never real progress.
      res.writeHead(200, { 'content-length': String(256 * KiB) });
      const timer = setInterval(() => res.write(Buffer.alloc(10, 0x63)), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/whole':
      return done(200, Buffer.alloc(512 * KiB, 0x64));
    default:
      return done(404, Buffer.from('no'));
  }
}

let http: SourceHttp;
before(async () => {
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  http = new SourceHttp({ addressAllowed: (a) => isAddressAllowed(a, true), allowHttp: true, stallMs: STALL_MS });
});
after(async () => {
  await http?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const allowlist = () => parseHostList(host);
const file = (path: string, size: number) => ({ url: `http://${host}${path}`, size, name: path.slice(1) });

/** Resolves when the server saw the connection of `path` close; fails naming what it waited for. */
async function closedWithin(path: string, ms: number): Promise<number> {
  const record = served.get(path);
  assert.ok(record, `the server got ${path}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for the client to drop the connection of ${path} (${record.bytes} bytes written)`)), ms);
  });
  try {
    await Promise.race([record.closed, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return record.bytes;
}

/** Reads a download to its end, failing after `ms` with what it waited for. */
async function drain(source: AsyncIterable<Buffer>, what: string, ms = 10 * STALL_MS): Promise<number> {
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  const read = (async () => {
    for await (const piece of source) n += piece.length;
    return n;
  })();
  try {
    return await Promise.race([read, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('unwanted bodies are discarded with a cap', () => {
  test('an endless error body: the download fails at once and the connection is cut', async (t) => {
    await assert.rejects(drain(readSource(http, allowlist(), file('/endless-error', 100), 0), 'the 503 to fail the download'), (err: TransferError) => err.code === 'source_unavailable');
    const bytes = await closedWithin('/endless-error', 10_000);
    // What the server wrote includes what sat in the socket buffers when we cut it.
    assert.ok(bytes < 32 * 1024 * KiB, `cut early, not read to the end (${bytes} bytes written)`);
    t.diagnostic(`the server wrote ${bytes} bytes of the endless body before the connection was cut`);
  });

  test('an endless redirect body: the redirect is followed and its connection cut', async () => {
    const parts: Buffer[] = [];
    for await (const piece of readSource(http, allowlist(), file('/endless-redirect', 5), 0)) parts.push(piece);
    assert.equal(Buffer.concat(parts).toString(), 'small', 'the redirect target was read');
    await closedWithin('/endless-redirect', 10_000);
  });
});

describe('a download without progress is aborted after the stall time', () => {
  const stalled = (err: unknown) => err instanceof TransferError && err.code === 'source_stalled' && err.retryable;

  test('no headers', async () => {
    await assert.rejects(drain(readSource(http, allowlist(), file('/silent-headers', 10), 0), 'the download without headers to be aborted'), stalled);
    await closedWithin('/silent-headers', 10_000);
  });

  test('a body that stops half-way', async () => {
    await assert.rejects(drain(readSource(http, allowlist(), file('/stall', 256 * KiB), 0), 'the stalled download to be aborted'), stalled);
    await closedWithin('/stall', 10_000);
  });

  test('a body that trickles (bytes keep arriving, too few to count as progress)', async () => {
    await assert.rejects(drain(readSource(http, allowlist(), file('/trickle', 256 * KiB), 0), 'the trickling download to be aborted'), stalled);
    await closedWithin('/trickle', 10_000);
  });

  test('time the consumer keeps the bytes (a slow upload) is not counted', async () => {
    async function* slowConsumer(): AsyncGenerator<Buffer> {
      let first = true;
      for await (const piece of readSource(http, allowlist(), file('/whole', 512 * KiB), 0)) {
        // The consumer keeps the first piece twice the stall time, as an upload paced by the destination may.
        if (first) await delay(2 * STALL_MS);
        first = false;
        yield piece;
      }
    }
    assert.equal(await drain(slowConsumer(), 'the slowly consumed download'), 512 * KiB);
  });
});
