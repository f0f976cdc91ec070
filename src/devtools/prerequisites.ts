/**
 * What the tests (and, for RabbitMQ, the demo) need on the machine, set up when missing, so the README's two lines work on a
 * fresh machine as written (CI runs the same line; nothing is installed only there):
 *   RabbitMQ    started with `rabbitmq-server -detached` when 127.0.0.1:5672 does not answer (installed with apt
 *               first, as root, when the machine has none)
 *   Chromium    Debian's package, for test/browser (playwright-core drives it; Playwright's own download cannot work)
 *   deploy kit  kustomize and the Kubernetes/Compose/KEDA schemas for test/deploy (scripts/deploy-tools.sh)
 * The Temporal CLI is built by startDevServer (scripts/temporal-cli.sh). Where a step needs root and we are not,
 * the run stops with the one command to type: a suite never skips what it cannot set up.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function brokerAccepts(host = '127.0.0.1', port = 5672): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

/** RabbitMQ on this machine (only when AMQP_URL points here: a remote broker is the caller's to run). */
export async function ensureRabbitMq(amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'): Promise<void> {
  const url = new URL(amqpUrl);
  const port = Number(url.port || 5672);
  if (await brokerAccepts(url.hostname, port)) return;
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) throw new Error(`RabbitMQ at ${url.host} (AMQP_URL) does not accept connections`);
  if (!commandExists('rabbitmq-server')) installDebianPackage('rabbitmq-server', 'RabbitMQ');
  log('RabbitMQ does not answer on 127.0.0.1:5672; starting it (rabbitmq-server -detached)');
  run('rabbitmq-server', ['-detached']);
  const deadline = Date.now() + 90_000;
  while (!(await brokerAccepts(url.hostname, port))) {
    if (Date.now() > deadline) throw new Error('RabbitMQ was started but did not accept connections on 127.0.0.1:5672 within 90 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Debian's Chromium for the browser tests. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH is ${CHROMIUM_PATH}, which does not exist`);
  installDebianPackage('chromium', 'Chromium for the browser tests');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but there is no ${CHROMIUM_PATH}`);
}

/** kustomize and the schemas test/deploy validates against, fetched once into ~/.cache/cloud-archive. */
export function ensureDeployTools(): void {
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'deploy-tools.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status !== 0) throw new Error(`scripts/deploy-tools.sh failed:\n${result.stderr}`);
  if (/fetching/.test(result.stderr)) log('deployment checks: kustomize and schemas fetched into the cache');
}

/** `apt-get install` as root, once; anyone else gets the exact command to run. */
function installDebianPackage(name: string, what: string): void {
  const command = `apt-get update && apt-get install -y ${name}`;
  if (process.getuid?.() !== 0 || !commandExists('apt-get')) {
    throw new Error(`${what} is missing and this user cannot install it. Run once, as root: ${command}`);
  }
  log(`installing ${what} with apt-get (once; a minute or two)...`);
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const logFile = join(ROOT, '.data', `apt-${name}.log`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const result = spawnSync('bash', ['-c', `{ apt-get update -qq && apt-get install -y -qq ${name}; } >"${logFile}" 2>&1`], { env, stdio: 'inherit' });
  if (result.status !== 0) {
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`installing ${name} failed (${command}); the end of ${logFile}:\n${tail}`);
  }
}

function commandExists(name: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
