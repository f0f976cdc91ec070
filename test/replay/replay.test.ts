import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../helpers/stack';
import { HISTORY_FILE_SUFFIX, historyFromFile } from './history-file';

/**
 * Transfers run for days, so a worker upgraded in the middle replays their histories with the new workflow code.
 * Every history recorded under test/replay/histories (scripts/record-histories.ts) must replay against the code
 * of today without a non-determinism error: a workflow change that would break transfers in flight fails here,
 * and passes once it is guarded with patched() (docs/deployment.md, "Upgrading with transfers in flight").
 */

const DIR = join(__dirname, 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith(HISTORY_FILE_SUFFIX)).sort();

test('the recorded histories cover every scenario', () => {
  assert.ok(files.length >= 7, `only ${files.length} recordings in ${DIR}: run npx tsx scripts/record-histories.ts`);
});

test('every recorded transfer replays against the current workflow code', async () => {
  const { code } = await workflowBundle();
  const histories = files.map((file) => ({ workflowId: file, history: historyFromFile(readFileSync(join(DIR, file))) }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { code } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, [], `histories that no longer replay:\n${failures.join('\n')}`);
});
