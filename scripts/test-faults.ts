/**
 * `npm run test:faults`: the fault suite (test/faults) — the whole service on a real Temporal dev server and the
 * machine's RabbitMQ while workers, the broker, Temporal and the bridge are killed, and the providers misbehave.
 * Like `npm test` it starts one dev server for every file (the Temporal-restart test starts its own as well); the
 * workflow bundle is built once here and shared by every file through TEST_WORKFLOW_BUNDLE_PATH.
 *
 * The RabbitMQ test stops and starts the broker's app (`rabbitmqctl stop_app/start_app`): other clients of the
 * broker on this machine lose their connections meanwhile. If a test process dies before restarting it, this
 * script starts it again at the end.
 * Usage: npm run test:faults [-- <test files>]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevServer } from '../src/devtools/temporal-server';
import { brokerAccepts, ensureRabbitMq } from '../src/devtools/prerequisites';

/** Longest one fault test file may take (node applies --test-timeout to each file as well). */
const TEST_TIMEOUT_MS = 10 * 60_000;

const SUITE = 'test/faults';

function testFiles(): string[] {
  const given = process.argv.slice(2);
  if (given.length > 0) return given;
  return readdirSync(SUITE).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(SUITE, f));
}

async function main(): Promise<number> {
  const started = Date.now();
  await ensureRabbitMq();
  const dbFile = join('.data', `faults-temporal-${process.pid}.db`);
  const [server, bundle] = await Promise.all([
    startDevServer({ dbFile }),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../src/workflows'),
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    }),
  ]);
  mkdirSync('.data', { recursive: true });
  const bundlePath = join(process.cwd(), '.data', `faults-workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, bundle.code);
  process.stdout.write(`Temporal dev server at ${server.address}\n`);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...testFiles()], {
      stdio: 'inherit',
      env: { ...process.env, TEMPORAL_ADDRESS: server.address, TEST_WORKFLOW_BUNDLE_PATH: bundlePath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    });
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await server.stop();
    for (const file of [bundlePath, dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(file, { force: true });
    if (!(await brokerAccepts())) {
      process.stderr.write('RabbitMQ was left stopped by a test; starting its app again\n');
      await promisify(execFile)('rabbitmqctl', ['start_app']).catch((err: Error) => process.stderr.write(`${err.message}\n`));
    }
    process.stdout.write(`fault suite: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
