/**
 * `npm test`: sets up what the selected tests need (scripts/prerequisites.ts: RabbitMQ, Chromium, deployment
 * tools; the Temporal CLI through startDevServer), type-checks the project on a full run, starts one real Temporal
 * dev server for the whole run (tests on different task queues share it), then runs every test file with node's
 * test runner. No test can hang: each has a timeout, after which the runner reports it failed.
 * Usage: npm test [-- [node test options, e.g. --test-name-pattern=…] <test files>]
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from '../src/devtools/temporal-server';
import { ensureChromium, ensureDeployTools, ensureRabbitMq } from '../src/devtools/prerequisites';

/** Longest one test file may take (node applies --test-timeout to each file as well); the slowest take ~2 min. */
const TEST_TIMEOUT_MS = 10 * 60_000;

const SUITES = ['test/unit', 'test/emulators', 'test/contract', 'test/replay', 'test/workflow', 'test/integration', 'test/browser', 'test/deploy'];

/** Arguments starting with "--" go to node's test runner as they are (e.g. --test-name-pattern). */
const runnerOptions = process.argv.slice(2).filter((a) => a.startsWith('--'));

function testFiles(): string[] {
  const given = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (given.length > 0) return given;
  return SUITES.flatMap((dir) => {
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

async function main(): Promise<number> {
  const files = testFiles();
  await ensureRabbitMq();
  if (files.some((f) => f.startsWith(join('test', 'browser')))) ensureChromium();
  if (files.some((f) => f.startsWith(join('test', 'deploy')))) ensureDeployTools();
  if (process.argv.length <= 2 && spawnSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit' }).status !== 0) {
    process.stderr.write('type errors (above): no tests run\n');
    return 1;
  }
  const server = await startDevServer({ dbFile: join('.data', `test-temporal-${process.pid}.db`) });
  process.stdout.write(`Temporal dev server at ${server.address}\n`);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-reporter=spec', ...runnerOptions, ...files], {
      stdio: 'inherit',
      env: { ...process.env, TEMPORAL_ADDRESS: server.address, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
    });
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
