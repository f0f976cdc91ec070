import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { parseConfig } from '../../src/config';
import { ROOT, codeEnv, imageEnv, parseDockerfile } from './support';

const instructions = parseDockerfile();
const stage = (name: string) => instructions.filter((i) => i.stage === name);
const entrypoint = readFileSync(join(ROOT, 'deploy/docker-entrypoint.sh'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));

/** Where `tsc -p .` (npm run build) writes a source file, by the tsconfig's rootDir and outDir. */
function compiledPath(source: string): string {
  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  return join(relative(ROOT, options.outDir!), relative(options.rootDir!, join(ROOT, source))).replace(/\.ts$/, '.js');
}

/** Whether the build context includes a path (our .dockerignore: exclude all, then re-include). */
function inContext(path: string): boolean {
  let included = true;
  for (const rule of dockerignore) {
    const negated = rule.startsWith('!');
    const pattern = negated ? rule.slice(1) : rule;
    const body = pattern.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(.*/)?');
    const re = new RegExp(`^${body}(/|$)`);
    if (re.test(path)) included = negated;
  }
  return included;
}

describe('Dockerfile', () => {
  test('multi-stage from pinned base images: build with dev dependencies, run with production ones', () => {
    const froms = instructions.filter((i) => i.op === 'FROM');
    assert.deepEqual(froms.map((f) => f.stage), ['build', 'deps', 'runtime']);
    const arg = instructions.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))!.args.split('=')[1]!;
    assert.match(arg, /^node:\d+\.\d+\.\d+-bookworm-slim$/, 'a full Node version, glibc');
    const version = arg.split(':')[1]!.split('-')[0]!;
    const [major, testedMajor] = [version, process.versions.node].map((v) => Number(v.split('.')[0]));
    assert.equal(major! % 2, 0, 'an LTS line (even major)');
    assert.ok(major! >= testedMajor!, `not older than the Node these tests run on (${process.versions.node})`);
    // On the image's line (docs/deployment.md: the tests on the image's Node), exactly the image's version.
    if (major === testedMajor) assert.equal(version, process.versions.node, 'the Node version the tests run on');
    assert.ok(stage('build').some((i) => i.op === 'RUN' && /npm ci --no-audit/.test(i.args)));
    assert.ok(stage('deps').some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args)));
    const runtimeCopies = stage('runtime').filter((i) => i.op === 'COPY').map((i) => i.args);
    assert.ok(runtimeCopies.some((a) => a.startsWith('--from=deps /app/node_modules')), 'production node_modules only');
    assert.ok(!runtimeCopies.some((a) => /--from=build \/app\/node_modules/.test(a)));
  });

  test('the workflow bundle is built at image build, where the worker looks for it', () => {
    const build = stage('build').filter((i) => i.op === 'RUN').map((i) => i.args).join(' && ');
    const script = compiledPath('scripts/build-workflow-bundle.ts');
    const m = new RegExp(`node ${script.replace(/\./g, '\\.')} (\\S+)`).exec(build);
    assert.ok(m, `the build runs ${script}`);
    assert.equal(imageEnv().WORKFLOW_BUNDLE_PATH, `/app/${m[1]}`);
    assert.ok(stage('runtime').some((i) => i.op === 'COPY' && i.args.includes(`/app/${m[1]}`)));
    assert.ok(build.indexOf('npm run build') < build.indexOf(script), 'compiled before it runs');
  });

  test('non-root, a health check, and ports that are the config defaults', () => {
    const runtime = stage('runtime');
    assert.match(runtime.find((i) => i.op === 'USER')!.args, /^[1-9]\d*:[1-9]\d*$/, 'numeric, non-root (runAsNonRoot can verify it)');
    const defaults = parseConfig(Object.fromEntries([...codeEnv().required].map((k) => [k, k.endsWith('_URL') ? 'https://x.example' : 'x'.repeat(40)])));
    const exposed = runtime.find((i) => i.op === 'EXPOSE')!.args.split(' ').map(Number);
    assert.deepEqual(exposed, [defaults.PORT, defaults.WORKER_HEALTH_PORT, defaults.BRIDGE_HEALTH_PORT, defaults.WORKER_SDK_METRICS_PORT]);
    const healthcheck = runtime.find((i) => i.op === 'HEALTHCHECK')!.args;
    const script = compiledPath('scripts/healthcheck.ts');
    assert.ok(healthcheck.includes(`/app/${script}`));
    assert.ok(runtime.some((i) => i.op === 'COPY' && i.args.includes(`/app/${script}`)));
  });

  test('the command picks the role, and each role is a compiled entry point the image contains', () => {
    const runtime = stage('runtime');
    assert.ok(runtime.some((i) => i.op === 'COPY' && i.args === '--from=build /app/dist/src ./dist/src'));
    for (const role of ['api', 'bridge', 'worker']) {
      assert.ok(existsSync(join(ROOT, `src/${role}/main.ts`)));
      assert.equal(compiledPath(`src/${role}/main.ts`), `dist/src/${role}/main.js`);
    }
    assert.match(entrypoint, /api \| bridge \| worker\)[\s\S]*exec node "\/app\/dist\/src\/\$role\/main\.js"/);
    const sandbox = compiledPath('scripts/sandbox-services.ts');
    assert.ok(entrypoint.includes(`exec node /app/${sandbox}`));
    assert.ok(runtime.some((i) => i.op === 'COPY' && i.args.includes(`/app/${sandbox}`)));
    assert.deepEqual(JSON.parse(runtime.find((i) => i.op === 'ENTRYPOINT')!.args), ['cloud-archive']);
    assert.ok(runtime.some((i) => i.op === 'COPY' && i.args === '--chmod=755 deploy/docker-entrypoint.sh /usr/local/bin/cloud-archive'));
  });

  test('everything the build copies is in the build context, and secrets are not', () => {
    for (const { op, args } of instructions) {
      if (op !== 'COPY' || args.startsWith('--from=')) continue;
      for (const source of args.split(' ').slice(0, -1).filter((a) => !a.startsWith('--'))) {
        assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
        assert.ok(inContext(source), `${source} is in the build context`);
      }
    }
    for (const path of ['.env', '.git', 'node_modules', 'dist', '.data', 'k8s', 'test/unit/api.test.ts']) assert.ok(!inContext(path), `${path} excluded`);
  });
});
