/**
 * Offline checks of the deployment files: schemas come from the cache that scripts/deploy-tools.sh fills (CI runs
 * it before `npm test`); nothing is downloaded here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const ROOT = resolve(__dirname, '..', '..');

export interface DeployTools {
  KUSTOMIZE: string;
  KUBERNETES_OPENAPI: string;
  KUBERNETES_VERSION: string;
  COMPOSE_SPEC: string;
  KEDA_CRDS: string;
  PROMETHEUS_OPERATOR_CRDS: string;
}

let tools: DeployTools | undefined;
export function deployTools(): DeployTools {
  tools ??= Object.fromEntries(
    execFileSync('bash', [join(ROOT, 'scripts', 'deploy-tools.sh'), '--offline'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  ) as unknown as DeployTools;
  return tools;
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

/** Every document of a YAML file (or string); a syntax error or warning fails. */
export function loadYaml(source: string, name = source): unknown[] {
  const text = source.includes('\n') ? source : readFileSync(join(ROOT, source), 'utf8');
  return parseAllDocuments(text, { strict: true, uniqueKeys: true, merge: true }) // merge: compose's `<<: *anchor`
    .map((doc) => {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length > 0) throw new Error(`${name}: ${problems.map((p) => p.message).join('; ')}`);
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    })
    .filter((doc) => doc !== null);
}

export function yamlFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(dir, f))
    .sort();
}

export function kustomizeBuild(dir: string): K8sObject[] {
  const out = execFileSync(deployTools().KUSTOMIZE, ['build', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return loadYaml(out, `kustomize build ${relative(ROOT, resolve(ROOT, dir))}`) as K8sObject[];
}

// --- Kubernetes schemas ------------------------------------------------------------------------------------------

type Schema = Record<string, unknown>;

// Quantity's serialisation rule (k8s.io/apimachinery resource.Quantity), which the OpenAPI spec only describes.
const QUANTITY = '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(\\d+(\\.\\d*)?|\\.\\d+)))?$';

/**
 * The OpenAPI definitions as JSON Schema, made strict the way kubeconform's `-strict` schemas are: an object with
 * listed properties takes no others (a misspelt field fails instead of being dropped by the API server), and the
 * two string-typed wrappers accept what the API server accepts (IntOrString: int or string; Quantity: a number or
 * a quantity string).
 */
function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  const schema = node as Schema;
  if (schema['x-kubernetes-int-or-string'] === true || schema.format === 'int-or-string') {
    return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: recurse into the schemas, not the map itself.
    out[key] = key === 'properties' && value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, strictify(v)]))
      : strictify(value);
  }
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

export type Validate = (object: K8sObject) => string[];

function errorsOf(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

let k8sValidator: Validate | undefined;
/** Validates built-in kinds against the pinned Kubernetes release's OpenAPI spec, KEDA's and the Prometheus Operator's kinds against their CRDs. */
export function kubernetesValidator(): Validate {
  if (k8sValidator) return k8sValidator;
  const swagger = JSON.parse(readFileSync(deployTools().KUBERNETES_OPENAPI, 'utf8')) as { definitions: Record<string, Schema> };
  const definitions: Record<string, unknown> = {};
  const byKind = new Map<string, string>();
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    definitions[name] = name === 'io.k8s.apimachinery.pkg.api.resource.Quantity'
      ? { anyOf: [{ type: 'number' }, { type: 'string', pattern: QUANTITY }] }
      : strictify(definition);
    for (const gvk of (definition['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []) {
      byKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
    }
  }
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'k8s', definitions });
  const validators = new Map<string, ValidateFunction>();
  const crdFiles = [deployTools().KEDA_CRDS, deployTools().PROMETHEUS_OPERATOR_CRDS].flatMap((dir) => readdirSync(dir).map((file) => join(dir, file)));
  for (const file of crdFiles) {
    for (const crd of loadYaml(readFileSync(file, 'utf8'), file) as Array<Record<string, any>>) {
      for (const version of crd.spec.versions as Array<{ name: string; schema: { openAPIV3Schema: unknown } }>) {
        validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(strictify(version.schema.openAPIV3Schema) as Schema));
      }
    }
  }
  k8sValidator = (object) => {
    const key = `${object.apiVersion}/${object.kind}`;
    let validate = validators.get(key);
    if (!validate) {
      const definition = byKind.get(key);
      if (!definition) return [`${key} is not a kind of Kubernetes ${deployTools().KUBERNETES_VERSION} (nor a known CRD)`];
      validate = ajv.getSchema(`k8s#/definitions/${definition}`)!;
      validators.set(key, validate);
    }
    const errors = validate(object) ? [] : errorsOf(validate);
    if (!object.metadata?.name) errors.push('/metadata/name is required');
    return errors;
  };
  return k8sValidator;
}

// --- Compose ------------------------------------------------------------------------------------------------------

export function composeValidator(): (document: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(JSON.parse(readFileSync(deployTools().COMPOSE_SPEC, 'utf8')) as Schema);
  return (document) => (validate(document) ? [] : errorsOf(validate));
}

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const variable = (name ?? bare)!;
    const value = env[variable];
    const missing = value === undefined || (colon === ':' && value === '');
    if (!missing) return value;
    if (op === '-') return arg ?? '';
    if (op === '?') throw new Error(`${variable}: ${arg}`);
    return '';
  });
}

/** Variable names that compose interpolates in a file. */
export function interpolatedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}

/** A .env file: KEY=value lines (no quoting in ours), and `# KEY=...` lines that document a default. */
export function parseEnvFile(file: string): { set: Record<string, string>; documented: Set<string> } {
  const set: Record<string, string> = {};
  const documented = new Set<string>();
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    const active = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (active) set[active[1]!] = active[2]!;
    const commented = /^#\s*([A-Z][A-Z0-9_]*)(=|\s+is set by|\s+\(set by)/.exec(line);
    if (commented) documented.add(commented[1]!);
  }
  return { set, documented };
}

// --- What the code reads ------------------------------------------------------------------------------------------

export const ENTRYPOINTS = ['src/api/main.ts', 'src/bridge/main.ts', 'src/worker/main.ts', 'scripts/healthcheck.ts', 'scripts/sandbox-services.ts'];

export interface CodeEnv {
  /** Every variable any entry point reads. */
  all: Set<string>;
  /** Those without a default: they must be set. */
  required: Set<string>;
}

/**
 * Read from the source: the keys of the config schema (with whether each has a default), plus any `process.env.X`
 * read directly in a file the entry points import.
 */
export function codeEnv(): CodeEnv {
  const all = new Set<string>();
  const required = new Set<string>();
  // The one schema (src/config/index.ts) and the sections it is composed of: each destination's, and those that
  // destinations of one provider share, beside their folders (src/providers/google-oauth.ts: Google's endpoints).
  const providers = join(ROOT, 'src/providers');
  const entries = readdirSync(providers, { withFileTypes: true });
  const sections = [
    ...entries.filter((d) => d.isDirectory() && existsSync(join(providers, d.name, 'config.ts'))).map((d) => join(providers, d.name, 'config.ts')),
    ...entries.filter((d) => d.isFile() && d.name.endsWith('.ts')).map((d) => join(providers, d.name)),
  ];
  for (const configFile of [join(ROOT, 'src/config/index.ts'), ...sections]) {
    const config = ts.createSourceFile(configFile, readFileSync(configFile, 'utf8'), ts.ScriptTarget.ES2022, true);
    config.forEachChild(function visit(node): void {
      if (ts.isVariableDeclaration(node) && node.initializer && ts.isCallExpression(node.initializer) && node.initializer.expression.getText() === 'z.object') {
        const shape = node.initializer.arguments[0];
        if (!shape || !ts.isObjectLiteralExpression(shape)) throw new Error(`${relative(ROOT, configFile)}: schema is not z.object({...})`);
        for (const property of shape.properties) {
          if (!ts.isPropertyAssignment(property)) continue;
          const name = property.name.getText();
          all.add(name);
          if (!/\.(default|optional)\(/.test(property.initializer.getText())) required.add(name);
        }
      }
      node.forEachChild(visit);
    });
  }
  if (all.size === 0) throw new Error('no config schema found in src/config/index.ts');

  const seen = new Set<string>();
  const queue = ENTRYPOINTS.map((f) => join(ROOT, f));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    source.forEachChild(function visit(node): void {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const target = resolveLocal(file, node.moduleSpecifier.text);
        if (target) queue.push(target);
      }
      if (ts.isPropertyAccessExpression(node) && node.expression.getText() === 'process.env') all.add(node.name.text);
      if (ts.isElementAccessExpression(node) && node.expression.getText() === 'process.env') {
        if (!ts.isStringLiteral(node.argumentExpression)) throw new Error(`${relative(ROOT, file)}: process.env[…] with a computed name cannot be checked`);
        all.add(node.argumentExpression.text);
      }
      node.forEachChild(visit);
    });
  }
  return { all, required };
}

function resolveLocal(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

// --- Dockerfile -----------------------------------------------------------------------------------------------------

export interface DockerInstruction {
  stage: string;
  op: string;
  args: string;
}

/** Instructions with continuation lines joined, each tagged with its stage. */
export function parseDockerfile(file = 'Dockerfile'): DockerInstruction[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').replace(/\\\n/g, ' ').split('\n');
  const out: DockerInstruction[] = [];
  let stage = '';
  for (const line of lines) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    const [, op, args] = m as unknown as [string, string, string];
    if (op === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    out.push({ stage, op, args: args.trim().replace(/\s+/g, ' ') });
  }
  return out;
}

/** The runtime stage's ENV (what every container starts with). */
export function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { stage, op, args } of parseDockerfile()) {
    if (stage !== 'runtime' || op !== 'ENV') continue;
    for (const m of args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) env[m[1]!] = m[2]!;
  }
  return env;
}
