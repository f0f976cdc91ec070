import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SHUTDOWN_GRACE_MS } from '../../src/api/graceful-server';
import { parseConfig } from '../../src/config';
import { freePort, temporalCliPath } from '../../src/devtools/temporal-server';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { ROOT, codeEnv, composeValidator, imageEnv, interpolate, interpolatedNames, loadYaml, parseEnvFile } from './support';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  env_file?: string | string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const raw = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const example = parseEnvFile('.env.example');
// `docker compose up` after `cp .env.example .env`: .env feeds both interpolation and the services' env_file.
const compose = loadYaml(interpolate(raw, example.set), 'docker-compose.yml')[0] as Compose;
const ROLES = ['api', 'bridge', 'worker'] as const;

/** A service's environment as its container sees it: image ENV, then env_file (.env), then `environment`. */
function containerEnv(name: string): Record<string, string> {
  const service = compose.services[name]!;
  assert.deepEqual(service.env_file, '.env');
  return { ...imageEnv(), ...example.set, ...service.environment };
}

describe('docker-compose.yml', () => {
  test('validates against the Compose specification schema', () => {
    const validate = composeValidator();
    assert.deepEqual(validate(compose), []);
    const typo = structuredClone(compose) as any;
    typo.services.api.healtcheck = typo.services.api.healthcheck;
    assert.notDeepEqual(validate(typo), [], 'the schema rejects unknown keys');
    const badCondition = structuredClone(compose) as any;
    badCondition.services.api.depends_on.rabbitmq.condition = 'healthy';
    assert.notDeepEqual(validate(badCondition), []);
  });

  test('its interpolations are all documented in .env.example, and required ones are set there', () => {
    for (const name of interpolatedNames(raw)) assert.ok(name in example.set || example.documented.has(name), `${name} not in .env.example`);
    assert.throws(() => interpolate(raw, {}), /RABBITMQ_USER|RABBITMQ_PASSWORD/, 'a missing .env is a clear error, not a broken stack');
  });

  test('RabbitMQ (management UI) and Temporal (Web UI, persistent) at pinned versions, with health checks', () => {
    const { rabbitmq, temporal } = compose.services;
    assert.match(rabbitmq!.image!, /^rabbitmq:\d+\.\d+\.\d+-management$/);
    assert.ok(rabbitmq!.ports!.some((p) => p.endsWith(':15672')));
    assert.ok(rabbitmq!.volumes!.some((v) => v.endsWith(':/var/lib/rabbitmq')));
    // The same Temporal as the tests run (scripts/temporal-cli.sh builds that version).
    const cliVersion = /^VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts/temporal-cli.sh'), 'utf8'))![1];
    assert.equal(temporal!.image, `temporalio/temporal:${cliVersion}`);
    assert.ok(temporal!.ports!.some((p) => p.endsWith(':8233')), 'Web UI');
    const db = temporal!.command!.find((a) => a.startsWith('--db-filename='))!.split('=')[1]!;
    assert.ok(temporal!.volumes!.some((v) => db.startsWith(`${v.split(':')[1]}/`)), 'the SQLite file is on a volume');
    for (const service of [rabbitmq!, temporal!]) assert.ok(service.healthcheck?.test.length, 'healthcheck');
  });

  test('Temporal registers exactly the search attributes of src/temporal/search-attributes.ts', () => {
    const registered = compose.services.temporal!.command!.filter((a) => a.startsWith('--search-attribute=')).map((a) => {
      const [name, type] = a.slice('--search-attribute='.length).split('=');
      return { name, type };
    });
    assert.deepEqual(registered, SEARCH_ATTRIBUTES);
    const namespace = compose.services.temporal!.command!.find((a) => a.startsWith('--namespace='))!.split('=')[1];
    assert.equal(namespace, parseConfig(containerEnv('worker')).TEMPORAL_NAMESPACE, 'registered in the namespace the app uses');
  });

  test('the Temporal command and health check work with that CLI version (run here on free ports)', async () => {
    const cli = temporalCliPath();
    const [grpc, ui] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'compose-temporal-'));
    const args = compose.services.temporal!.command!.map((a) =>
      a.replace('--ip=0.0.0.0', '--ip=127.0.0.1').replace('--port=7233', `--port=${grpc}`).replace('--ui-port=8233', `--ui-port=${ui}`).replace(/^--db-filename=.*/, `--db-filename=${join(dir, 'temporal.db')}`),
    );
    const server = spawn(cli, args, { stdio: 'ignore' });
    try {
      const health = compose.services.temporal!.healthcheck!.test.slice(1).map((a) => a.replace('127.0.0.1:7233', `127.0.0.1:${grpc}`));
      assert.equal(health[0], 'temporal');
      const run = () => execFileSync(cli, health.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      for (let i = 0; ; i++) {
        try {
          assert.match(run(), /SERVING/);
          break;
        } catch (err) {
          if (i > 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const namespace = parseConfig(containerEnv('worker')).TEMPORAL_NAMESPACE;
      const listed = execFileSync(cli, ['operator', 'search-attribute', 'list', '--address', `127.0.0.1:${grpc}`, '--namespace', namespace, '-o', 'json'], { encoding: 'utf8' });
      const custom = (JSON.parse(listed) as { customAttributes: Record<string, string> }).customAttributes;
      for (const { name, type } of SEARCH_ATTRIBUTES) assert.match(custom[name] ?? '', new RegExp(type, 'i'), name);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the three roles come from the Dockerfile, wait for healthy dependencies, and get a configuration the service accepts', () => {
    for (const role of ROLES) {
      const service = compose.services[role]!;
      assert.ok(service.build, `${role} is built from the Dockerfile`);
      assert.deepEqual(service.command, [role]);
      assert.deepEqual(service.depends_on, { rabbitmq: { condition: 'service_healthy' }, temporal: { condition: 'service_healthy' } });
      const config = parseConfig(containerEnv(role));
      assert.equal(new URL(config.AMQP_URL).host, 'rabbitmq:5672');
      assert.equal(config.TEMPORAL_ADDRESS, 'temporal:7233');
      assert.equal(config.WORKFLOW_BUNDLE_PATH, imageEnv().WORKFLOW_BUNDLE_PATH, 'the prebuilt bundle');
    }
    const api = parseConfig(containerEnv('api'));
    assert.ok(compose.services.api!.ports!.includes(`127.0.0.1:${new URL(api.PUBLIC_URL).port}:${api.PORT}`), 'PUBLIC_URL reaches the API');
    const grace = parseConfig(containerEnv('worker')).WORKER_SHUTDOWN_GRACE_SECONDS;
    assert.ok(parseInt(compose.services.worker!.stop_grace_period!, 10) > grace, 'docker waits for the graceful shutdown');
    assert.ok(parseInt(compose.services.api!.stop_grace_period!, 10) >= api.SHUTDOWN_DRAIN_SECONDS + SHUTDOWN_GRACE_MS / 1000 + 5, 'docker waits for the API to drain');
  });

  test('the sandbox profile replaces Google and the gallery, and is on by default in .env.example', () => {
    const sandbox = compose.services.sandbox!;
    assert.deepEqual(sandbox.profiles, ['sandbox']);
    assert.deepEqual(sandbox.command, ['sandbox']);
    assert.equal(example.set.COMPOSE_PROFILES, 'sandbox');
    const config = parseConfig(containerEnv('worker'));
    // The browser opens the consent page on the published port; the containers reach the rest by service name.
    const published = sandbox.ports!.map((p) => p.split(':').slice(-2).join(':'));
    assert.ok(published.includes(`${new URL(config.GOOGLE_AUTH_URL).port}:9100`));
    assert.equal(new URL(config.GOOGLE_AUTH_URL).hostname, 'localhost');
    for (const url of [config.GOOGLE_TOKEN_URL, config.GOOGLE_API_URL, config.GALLERY_API_URL, config.COMPLETION_CALLBACK_URL]) {
      assert.equal(new URL(url).hostname, 'sandbox', url);
    }
    assert.ok(sandbox.healthcheck?.test.length);
  });
});

describe('.env.example', () => {
  const { all, required } = codeEnv();
  const composeOnly = new Set([...interpolatedNames(raw), 'COMPOSE_PROFILES']);

  test('documents every variable the code reads and sets every required one', () => {
    const mentioned = new Set([...Object.keys(example.set), ...example.documented]);
    assert.deepEqual([...all].filter((v) => !mentioned.has(v)), [], 'not in .env.example');
    assert.deepEqual([...required].filter((v) => !example.set[v]), [], 'required but not set');
  });

  test('names no variable the code or compose does not read', () => {
    const unknown = [...Object.keys(example.set), ...example.documented].filter((v) => !all.has(v) && !composeOnly.has(v));
    assert.deepEqual(unknown, []);
  });

  test('its documented defaults are the real ones', () => {
    const config = parseConfig(containerEnv('worker')) as Record<string, unknown>;
    const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const m of text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(\S+)$/gm)) {
      const [, name, value] = m as unknown as [string, string, string];
      if (!all.has(name) || name in imageEnv()) continue;
      const parsed = parseConfig({ ...containerEnv('worker'), [name]: value }) as Record<string, unknown>;
      assert.deepEqual(parsed[name], config[name], `${name}=${value} is not the default`);
    }
  });
});
