import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config';
import { consentProviders } from '../../src/api/consent';
import { createTransferRequestSchema, parseTransferRequest } from '../../src/api/transfer-request';
import { Providers } from '../../src/providers';
import { CLOUD_TYPES, DESTINATIONS } from '../../src/providers/registry';
import { Sealer } from '../../src/shared/crypto';
import { TransferError } from '../../src/shared/errors';

/** The destination registry (src/providers/README.md): one folder and one line per destination. */

const ROOT = resolve(__dirname, '../..');
const PROVIDERS = join(ROOT, 'src/providers');
const FOLDERS = readdirSync(PROVIDERS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

const ENV = {
  GOOGLE_CLIENT_ID: 'id',
  GOOGLE_CLIENT_SECRET: 'secret',
  PUBLIC_URL: 'https://api.example.test',
  COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
  CALLBACK_SECRET: 'callback-secret-16+',
  SECRET_KEY: 'k'.repeat(44),
};
const YANDEX = { YANDEX_CLIENT_ID: 'ya-id', YANDEX_CLIENT_SECRET: 'ya-secret' };

/** The absolute paths of every module (ours and packages) that loading `entry` loads, in a fresh process. */
function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(join(ROOT, entry))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('the API process', () => {
  test('never loads a destination’s worker side (providers, upload protocols, googleapis)', () => {
    const loaded = modulesLoadedBy('src/api/index.ts');
    // Proof the list sees our TypeScript modules at all: the consent side of every destination is in it.
    for (const folder of FOLDERS) assert.ok(loaded.includes(join(PROVIDERS, folder, 'consent.ts')), `${folder}/consent.ts not loaded`);

    const workerSide = [
      join(PROVIDERS, 'index.ts'),
      join(PROVIDERS, 'worker-registry.ts'),
      ...FOLDERS.flatMap((folder) => [join(PROVIDERS, folder, 'worker.ts'), join(PROVIDERS, folder, 'provider.ts')]),
    ];
    const packages = /\/node_modules\/(googleapis|@googleapis\/drive|@temporalio\/worker)\//;
    const offending = new Set(loaded.flatMap((path) => (workerSide.includes(path) ? [path] : (packages.exec(path)?.slice(1) ?? []))));
    assert.deepEqual([...offending], []);
  });
});

describe('the registry', () => {
  test('lists every destination folder once, and each folder holds both sides', () => {
    assert.equal(DESTINATIONS.length, FOLDERS.length, `folders ${FOLDERS.join(', ')} vs ${DESTINATIONS.length} registered`);
    for (const folder of FOLDERS) {
      for (const file of ['destination.ts', 'config.ts', 'consent.ts', 'worker.ts', 'errors.ts']) {
        assert.ok(existsSync(join(PROVIDERS, folder, file)), `${folder}/${file}`);
      }
    }
    assert.ok(CLOUD_TYPES.includes('google_drive') && CLOUD_TYPES.includes('yadisk'), 'queued jobs carry these: never renamed');
    assert.equal(new Set(DESTINATIONS.map((d) => d.callbackPath)).size, DESTINATIONS.length, 'callback paths are distinct');
  });

  test('no two destinations claim the same environment variable', () => {
    const owners = new Map<string, string>();
    for (const d of DESTINATIONS) {
      for (const name of Object.keys(d.settings.shape)) {
        assert.ok(!owners.has(name), `${name}: ${owners.get(name)} and ${d.cloudType}`);
        owners.set(name, d.cloudType);
      }
    }
  });

  test('the request schema accepts exactly the registered cloud types, and names them when refusing', () => {
    const schema = createTransferRequestSchema(parseConfig(ENV));
    const body = {
      redirect_success_link: 'https://x.lite.gallery/ok',
      redirect_fail_link: 'https://x.lite.gallery/fail',
      archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
      gallery_name: 'G',
      archive_type: 'webs',
    };
    for (const cloudType of CLOUD_TYPES) assert.equal(parseTransferRequest(schema, { ...body, cloud_type: cloudType }).cloud_type, cloudType);
    assert.throws(() => parseTransferRequest(schema, { ...body, cloud_type: 'dropbox' }), (err: Error) => {
      assert.match(err.message, /^cloud_type must be "google_drive"(, "\w+")* or "\w+"\.$/);
      for (const cloudType of CLOUD_TYPES) assert.ok(err.message.includes(`"${cloudType}"`), err.message);
      return true;
    });
  });
});

describe('each destination’s settings', () => {
  test('are validated at start-up with the rest, a bad value named', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ UPLOAD_CHUNK_BYTES: '1000' }, /UPLOAD_CHUNK_BYTES: must be a multiple of 262144/],
      [{ GOOGLE_API_URL: 'ftp://x' }, /GOOGLE_API_URL: must be an http\(s\) URL/],
      [{ YANDEX_SERVER_SIDE_FETCH: 'maybe' }, /YANDEX_SERVER_SIDE_FETCH/],
      [{ YANDEX_CLIENT_ID: 'ya-id' }, /YANDEX_CLIENT_SECRET: set both YANDEX_CLIENT_ID and YANDEX_CLIENT_SECRET, or neither/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => parseConfig({ ...ENV, ...env }), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    }
    const { GOOGLE_CLIENT_ID: _, ...withoutGoogle } = ENV;
    assert.throws(() => parseConfig(withoutGoogle), /GOOGLE_CLIENT_ID/);
    assert.equal(parseConfig({ ...ENV, YANDEX_WRITES_PER_SECOND: '2.5' }).YANDEX_WRITES_PER_SECOND, 2.5);
  });

  test('decide which destinations the API offers and the worker writes to', () => {
    const routes = (env: Record<string, string>) => [...consentProviders(parseConfig(env)).values()].map((p) => [p.cloudType, p.callbackPath]);
    assert.deepEqual(routes(ENV), [['google_drive', '/cloud_archive/oauth/google/callback']]);
    assert.deepEqual(routes({ ...ENV, ...YANDEX }), [
      ['google_drive', '/cloud_archive/oauth/google/callback'],
      ['yadisk', '/cloud_archive/oauth/yandex/callback'],
    ]);

    const sealer = new Sealer(ENV.SECRET_KEY);
    const sealed = sealer.seal('refresh-token', 'refresh');
    assert.throws(() => new Providers(parseConfig(ENV), sealer).forTransfer('yadisk', 't1', sealed), (err: unknown) => {
      assert.ok(err instanceof TransferError && !err.retryable);
      assert.equal(err.message, 'this worker has no YANDEX_CLIENT_ID: it cannot write to Yandex Disk');
      return true;
    });
    assert.doesNotThrow(() => new Providers(parseConfig({ ...ENV, ...YANDEX }), sealer).forTransfer('yadisk', 't1', sealed));
  });
});
