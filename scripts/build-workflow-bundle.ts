/**
 * Writes the Temporal workflow bundle to a file, so a production worker loads it (WORKFLOW_BUNDLE_PATH) instead of
 * running webpack at every start. The image build runs it; the bundle must come from the same commit as the worker.
 * Usage: tsx scripts/build-workflow-bundle.ts <output.js>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

async function main(): Promise<void> {
  const output = process.argv[2];
  if (!output) throw new Error('usage: build-workflow-bundle <output.js>');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows') });
  mkdirSync(dirname(resolve(output)), { recursive: true });
  writeFileSync(output, code);
  process.stdout.write(`workflow bundle: ${output} (${(code.length / 1024).toFixed(0)} KiB)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
