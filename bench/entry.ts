import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Node arguments that run one of our entry points (e.g. `src/worker/main`): from source under tsx, or — with
 * BENCH_COMPILED=1, after `npm run build` — compiled, as the production image runs it (tsx's transpiler then
 * stays out of the measured process).
 */
export function entryArgs(entry: string): string[] {
  const root = join(__dirname, '..');
  if (process.env.BENCH_COMPILED !== '1') return ['--import', 'tsx', join(root, `${entry}.ts`)];
  const compiled = join(root, 'dist', `${entry}.js`);
  if (!existsSync(compiled)) throw new Error(`BENCH_COMPILED=1: ${compiled} is missing; run npm run build first`);
  return [compiled];
}
