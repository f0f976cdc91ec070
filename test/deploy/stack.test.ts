/**
 * What `docker compose up` runs, without Docker: the compiled entry points the image runs (`node dist/...`), with
 * the prebuilt workflow bundle, each as its own process with the environment compose gives its container (.env
 * from .env.example plus the compose `environment`), only the container host names mapped to this machine.
 * Real RabbitMQ and Temporal (the test run's); the sandbox in its own process, as the `sandbox` service.
 */
import assert from 'node:assert/strict';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/devtools/temporal-server';
import { workflowIdFor } from '../../src/shared/types';
import type { TransferProgress } from '../../src/workflows';
import { ROOT, interpolate, loadYaml, parseEnvFile } from './support';

// Inside the clone, like /app/dist beside /app/node_modules in the image, so the compiled code finds its packages.
mkdirSync(join(ROOT, '.data'), { recursive: true });
const out = mkdtempSync(join(ROOT, '.data', 'dist-'));
const processes = new Map<string, { child: ChildProcess; output: string[] }>();
const ports = { api: 0, worker: 0, bridge: 0, google: 0, gallery: 0 };
const env: Record<string, Record<string, string>> = {};
const suffix = `${process.pid}-${Date.now()}`;

function start(name: string, script: string, args: string[] = []): void {
  const output: string[] = [];
  const child = spawn(process.execPath, [join(out, script), ...args], { env: env[name], stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  processes.set(name, { child, output });
}

function logs(): string {
  return [...processes].map(([name, p]) => `--- ${name} (exit ${p.child.exitCode})\n${p.output.join('').slice(-3000)}`).join('\n');
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function status(url: string): Promise<number> {
  return (await fetch(url, { signal: AbortSignal.timeout(3_000) })).status;
}

function stop(name: string): Promise<number | null> {
  const { child } = processes.get(name)!;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe('the compose stack, as processes', { timeout: 180_000 }, () => {
  before(async () => {
    // `npm run build` minus the type check (CI's typecheck does that): the same tsc and tsconfig, so the same layout.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', ROOT, '--noCheck', '--outDir', out], { stdio: 'inherit' });
    // As the image build does.
    execFileSync(process.execPath, [join(out, 'scripts/build-workflow-bundle.js'), join(out, 'workflow-bundle.js')], { stdio: 'ignore' });

    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    const example = parseEnvFile('.env.example').set;
    const compose = loadYaml(interpolate(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), example), 'docker-compose.yml')[0] as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    // Container names and published ports → this machine; the test run's RabbitMQ and Temporal.
    const hosts: Array<[RegExp, string]> = [
      [/(sandbox|localhost):9100/g, `127.0.0.1:${ports.google}`],
      [/sandbox:9200/g, `127.0.0.1:${ports.gallery}`],
      [/localhost:8080/g, `127.0.0.1:${ports.api}`],
    ];
    for (const name of ['api', 'bridge', 'worker', 'sandbox']) {
      const merged: Record<string, string> = { ...example, ...compose.services[name]!.environment };
      for (const [key, value] of Object.entries(merged)) merged[key] = hosts.reduce((v, [re, to]) => v.replace(re, to), value);
      env[name] = {
        PATH: process.env.PATH ?? '',
        ...merged,
        NODE_ENV: 'production',
        WORKFLOW_BUNDLE_PATH: join(out, 'workflow-bundle.js'),
        AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
        PORT: String(ports.api),
        WORKER_HEALTH_PORT: String(ports.worker),
        BRIDGE_HEALTH_PORT: String(ports.bridge),
        // Own queues, so nothing else on the shared broker and server takes these jobs; fast Drive pacing.
        AMQP_QUEUE: `cloud_archive.deploy-test-${suffix}`,
        TEMPORAL_TASK_QUEUE: `deploy-test-${suffix}`,
        DRIVE_WRITES_PER_SECOND: '100',
        DRIVE_WRITE_BURST: '100',
        LOG_LEVEL: 'warn',
      };
    }
    start('sandbox', 'scripts/sandbox-services.js', ['--host', '127.0.0.1', '--google-port', String(ports.google), '--gallery-port', String(ports.gallery)]);
    start('worker', 'src/worker/main.js');
    start('bridge', 'src/bridge/main.js');
    start('api', 'src/api/main.js');
  });

  after(async () => {
    await Promise.all([...processes.keys()].map(stop));
    rmSync(out, { recursive: true, force: true });
  });

  test('each role serves /healthz and /readyz on the port its variable names, and the image HEALTHCHECK passes', async () => {
    for (const [role, port] of [['api', ports.api], ['worker', ports.worker], ['bridge', ports.bridge]] as const) {
      await until(`${role} ready`, async () => ((await status(`http://127.0.0.1:${port}/readyz`)) === 200 ? true : undefined));
      assert.equal(await status(`http://127.0.0.1:${port}/healthz`), 200, role);
      // The Dockerfile's HEALTHCHECK, run with the container's environment.
      execFileSync(process.execPath, [join(out, 'scripts/healthcheck.js')], { env: env[role] });
    }
    // Without a ready role on its ports the check fails (it does not pass vacuously).
    assert.throws(() => execFileSync(process.execPath, [join(out, 'scripts/healthcheck.js')], { env: { PATH: process.env.PATH ?? '', PORT: '1', WORKER_HEALTH_PORT: '1', BRIDGE_HEALTH_PORT: '1' } }));
  });

  test('a gallery goes through consent to the emulated Drive', async () => {
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const success = 'http://localhost:8233/namespaces/default/workflows';
    const res = await fetch(`${apiUrl}/cloud_archive`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        redirect_success_link: success,
        redirect_fail_link: 'http://localhost:8233/failed',
        archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
        gallery_name: 'Compose sandbox',
        archive_type: 'webs',
        cloud_type: 'google_drive',
      }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { redirect_to } = (await res.json()) as { redirect_to: string };
    assert.equal(new URL(redirect_to).origin, `http://127.0.0.1:${ports.google}`, 'the browser is sent to the emulated consent page');

    // The person on the consent page ticks every permission and clicks Allow.
    const page = await (await fetch(redirect_to)).text();
    const form = new URLSearchParams({ request: /name="request" value="([^"]+)"/.exec(page)![1]!, decision: 'allow' });
    for (const m of page.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', m[1]!);
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(page)![1]!, redirect_to);
    let location = (await fetch(action, { method: 'POST', body: form, redirect: 'manual' })).headers.get('location')!;
    assert.ok(location.startsWith(`http://127.0.0.1:${ports.api}/cloud_archive/oauth/google/callback`), location);
    location = (await fetch(location, { redirect: 'manual' })).headers.get('location')!;
    assert.ok(location.startsWith(success), location);
    const transferId = new URL(location).searchParams.get('transfer_id')!;

    const connection = await Connection.connect({ address: env.worker!.TEMPORAL_ADDRESS! });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const handle = client.workflow.getHandle(workflowIdFor(transferId));
      // The bridge starts it once the job has gone through RabbitMQ.
      await until('the bridge to start the workflow', () => handle.describe());
      const result = (await until('the transfer to finish', async () => {
        const { status } = await handle.describe();
        return status.name === 'RUNNING' ? undefined : handle.result();
      }, 90_000)) as TransferProgress;
      assert.equal(result.filesFailed, 0);
      assert.ok(result.filesTotal > 0 && result.filesDone === result.filesTotal, JSON.stringify(result));
    } finally {
      await connection.close();
    }
    const tree = (await (await fetch(`http://127.0.0.1:${ports.google}/__emulator/tree`)).json()) as Array<{ path: string }>;
    assert.ok(tree.some((n) => n.path.startsWith('Compose sandbox/Ceremony/')), 'albums became folders');
  });

  test('SIGTERM stops every role cleanly', async () => {
    const codes = Object.fromEntries(await Promise.all(['api', 'bridge', 'worker', 'sandbox'].map(async (name) => [name, await stop(name)] as const)));
    assert.deepEqual(codes, { api: 0, bridge: 0, worker: 0, sandbox: 0 }, logs());
  });
});
