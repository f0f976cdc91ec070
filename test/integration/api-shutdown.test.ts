import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import amqp from 'amqplib';
import { freePort } from '../../src/devtools/temporal-server';

/**
 * SIGTERM to the real API process (src/api/main.ts): /readyz turns 503 at once, new requests are still served
 * during SHUTDOWN_DRAIN_SECONDS, then the listener closes, and a request that was in flight all along completes
 * with 200 before the process exits 0.
 */

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ROOT = join(__dirname, '..', '..');
const DRAIN_SECONDS = 3;

const body = JSON.stringify({
  redirect_success_link: 'https://front.lite.gallery/done?lang=ru',
  redirect_fail_link: 'https://front.lite.gallery/failed',
  archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
  gallery_name: 'Shutdown',
  archive_type: 'webs',
  cloud_type: 'google_drive',
});

/** The API process, with a way to wait for one of its (JSON) log lines. */
class ApiProcess {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  #waiters: Array<{ msg: string; resolve: () => void }> = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/api/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      const msg = (JSON.parse(line) as { msg: string }).msg;
      for (const w of this.#waiters.filter((w) => msg.startsWith(w.msg))) w.resolve();
      this.#waiters = this.#waiters.filter((w) => !msg.startsWith(w.msg));
    });
  }

  /** Resolves once a line whose message starts with `msg` was logged (fails the test if the process ends first). */
  logged(msg: string): Promise<void> {
    if (this.#lines.some((l) => (JSON.parse(l) as { msg: string }).msg.startsWith(msg))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ msg, resolve });
      this.child.once('exit', (code) => reject(new Error(`the API exited (${code}) before logging "${msg}":\n${this.#lines.join('\n')}`)));
    });
  }
}

/** A POST whose headers the server has read (it answered 100 Continue) and whose body is not sent yet. */
async function requestInFlight(url: string): Promise<{ finish(): Promise<{ status: number; connection?: string; text: string }> }> {
  const req = http.request(`${url}/cloud_archive`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
  });
  const response = once(req, 'response') as Promise<[http.IncomingMessage]>;
  await once(req, 'continue');
  return {
    finish: async () => {
      req.end(body);
      const [res] = await response;
      let text = '';
      for await (const chunk of res) text += chunk;
      return { status: res.statusCode!, connection: res.headers.connection, text };
    },
  };
}

describe('API shutdown on SIGTERM', { timeout: 60_000 }, () => {
  const queue = `test.shutdown.${randomUUID()}`;

  after(async () => {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    await channel.deleteQueue(queue);
    await channel.deleteQueue(`${queue}.dead`);
    await channel.deleteExchange(`${queue}.dlx`);
    await connection.close();
  });

  test('readiness fails at once, new requests are served through the pause, a request in flight completes with 200', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = new ApiProcess({
      PORT: String(port),
      PUBLIC_URL: url,
      LOG_LEVEL: 'info',
      GOOGLE_CLIENT_ID: 'shutdown-client.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'shutdown-secret',
      COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
      CALLBACK_SECRET: 'callback-secret-16+',
      SECRET_KEY: 'a-test-secret-key-of-at-least-32-chars',
      AMQP_URL,
      AMQP_QUEUE: queue,
      SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });
    const exited = once(api.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      await api.logged('API listening');
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const inFlight = await requestInFlight(url);

      api.child.kill('SIGTERM');
      await api.logged('draining');
      const readyz = await fetch(`${url}/readyz`);
      assert.equal(readyz.status, 503);
      assert.equal(((await readyz.json()) as { error: string }).error, 'shutting_down');
      assert.equal((await fetch(`${url}/healthz`)).status, 200, 'still accepting during the pause');

      await api.logged('listener closed');
      await assert.rejects(fetch(`${url}/healthz`), (err: Error) => (err.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
      const answer = await inFlight.finish();
      assert.equal(answer.status, 200, answer.text);
      assert.match((JSON.parse(answer.text) as { redirect_to: string }).redirect_to, /^https:\/\/accounts\.google\.com\//);
      assert.equal(answer.connection, 'close', 'the connection is not kept alive on a closing server');
      assert.deepEqual(await exited, [0, null]);
    } finally {
      api.child.kill('SIGKILL');
    }
  });
});
