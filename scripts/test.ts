/**
 * `npm test`: starts one real Temporal dev server for the whole run (tests on different task queues share it),
 * then runs every test file with node's test runner. RabbitMQ must already run at AMQP_URL (CI starts it).
 * Usage: npm test [-- <test files>]
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from '../src/devtools/temporal-server';

const SUITES = ['test/unit', 'test/emulators', 'test/integration', 'test/browser', 'test/deploy'];

function testFiles(): string[] {
  const given = process.argv.slice(2);
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
  const server = await startDevServer({ dbFile: join('.data', `test-temporal-${process.pid}.db`) });
  process.stdout.write(`Temporal dev server at ${server.address}\n`);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...testFiles()], {
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
