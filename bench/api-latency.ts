/**
 * B4: the API under load, without the transfer behind it (no bridge, no worker: jobs stay in RabbitMQ and
 * the queue is deleted afterwards). Measured with autocannon at a fixed request rate.
 *   POST /cloud_archive                      → p99 (target ≤ 20 ms)
 *   OAuth callback → code exchange (emulator) → publish + broker confirm → redirect  → p99 (target ≤ 50 ms)
 * A callback counts as done only when it redirects to the success link; the fail link (or anything else) is an error.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { entryArgs } from './entry';
import amqp from 'amqplib';
import { parseConfig } from '../src/config';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../src/devtools/temporal-server';
import { createGoogleEmulator } from '../src/emulators/google';
import { emulatorEnv } from '../src/sandbox/env';

const RATE = Number(process.env.BENCH_B4_RATE ?? 500);
const SUCCESS_LINK = 'https://gallery.example/ok';
const FAIL_LINK = 'https://gallery.example/fail';
const SECONDS = Number(process.env.BENCH_B4_SECONDS ?? 5);

export async function apiLatency(temporalAddress: string) {
  const google = createGoogleEmulator({ clientId: 'bench', clientSecret: 'bench-secret', redirectUris: [] });
  const googleUrl = (await google.listen(0, '127.0.0.1')).url;
  // Chosen once the emulator holds its port, so it cannot be the emulator's.
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  google.setOptions({ redirectUris: [`${apiUrl}/cloud_archive/oauth/google/callback`] });
  const queue = `bench.api.${randomBytes(4).toString('hex')}`;
  const env = {
    LOG_LEVEL: 'warn',
    PORT: String(apiPort),
    PUBLIC_URL: apiUrl,
    AMQP_QUEUE: queue,
    TEMPORAL_ADDRESS: temporalAddress,
    // No gallery here: the listing and callback URLs are never called (no worker runs).
    ...emulatorEnv({ googleUrl, galleryUrl: 'http://127.0.0.1:9', clientId: 'bench', clientSecret: 'bench-secret', callbackSecret: randomBytes(24).toString('hex'), archiveHost: 'arch-d.lite.gallery' }),
    REDIRECT_URL_HOSTS: 'gallery.example',
  };
  const config = parseConfig(env);
  // The API in its own process, as deployed: the load generator must not share its event loop.
  const api = spawn(process.execPath, entryArgs('src/api/main'), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForHttp(`${apiUrl}/healthz`);
  const body = JSON.stringify({
    redirect_success_link: SUCCESS_LINK,
    redirect_fail_link: FAIL_LINK,
    archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
    gallery_name: 'Load test',
    archive_type: 'webs',
    cloud_type: 'google_drive',
  });
  try {
    // Warm-up (JIT, connection pools), not measured.
    await autocannon({ url: `${apiUrl}/cloud_archive`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50, overallRate: RATE, duration: 2 });
    const post = await autocannon({
      url: `${apiUrl}/cloud_archive`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: 50,
      overallRate: RATE,
      duration: SECONDS,
    });

    // Callback URLs carrying a real code and state: POST, then let the emulator's consent answer.
    const callbacks: string[] = [];
    while (callbacks.length < RATE * SECONDS) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await fetch(`${apiUrl}/cloud_archive`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const { redirect_to } = (await res.json()) as { redirect_to: string };
          const consent = await fetch(redirect_to, { redirect: 'manual' });
          return new URL(consent.headers.get('location')!).pathname + new URL(consent.headers.get('location')!).search;
        }),
      );
      callbacks.push(...batch);
    }
    let next = 0;
    const outcomes = { success: 0, failLink: 0 };
    const callback = await autocannon({
      url: apiUrl,
      connections: 50,
      overallRate: RATE,
      amount: callbacks.length,
      requests: [
        {
          method: 'GET',
          setupRequest: (req) => ({ ...req, path: callbacks[next++ % callbacks.length]! }),
          onResponse: (status, _body, _context, headers) => {
            // Raw header names as the server wrote them (Express: "Location").
            const location = status >= 300 && status < 400 ? String(Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'location')?.[1] ?? '') : '';
            if (isLink(location, SUCCESS_LINK)) outcomes.success += 1;
            else if (isLink(location, FAIL_LINK)) outcomes.failLink += 1;
          },
        },
      ],
    });
    return [
      { scenario: 'B4 POST /cloud_archive', 'rate/s': RATE, requests: post.requests.total, 'p50 ms': post.latency.p50, 'p99 ms': post.latency.p99, errors: post.non2xx + post.errors },
      {
        scenario: 'B4 callback + confirm',
        'rate/s': RATE,
        requests: callback.requests.total,
        'p50 ms': callback.latency.p50,
        'p99 ms': callback.latency.p99,
        // Only a redirect to the success link is a published job; the fail link and anything else are errors.
        errors: callback.requests.total - outcomes.success,
        'to fail link': outcomes.failLink,
      },
    ];
  } finally {
    api.kill('SIGTERM');
    await once(api, 'exit');
    await google.close();
    const connection = await amqp.connect(config.AMQP_URL);
    const channel = await connection.createChannel();
    for (const q of [queue, `${queue}.dead`]) await channel.deleteQueue(q).catch(() => undefined);
    await channel.deleteExchange(`${queue}.dlx`).catch(() => undefined);
    await connection.close();
  }
}

/** Whether a Location is `link` itself (the success link gains a transfer_id, the fail link a reason). */
function isLink(location: string, link: string): boolean {
  return location === link || location.startsWith(`${link}?`);
}

async function waitForHttp(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
