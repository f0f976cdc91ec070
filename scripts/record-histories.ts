/**
 * Refreshes the recorded histories of test/replay: runs every scenario of test/replay/scenarios.ts as a real
 * transfer on a test stack (dev Temporal server, RabbitMQ, emulators) and saves each run of its workflow
 * (every run of a continue-as-new chain) as test/replay/histories/<scenario>.<run>.json.gz.
 *
 *   npx tsx scripts/record-histories.ts [scenario-name ...]
 *
 * Run it after a workflow change that is patched (docs/deployment.md, "Upgrading with transfers in flight") to
 * add recordings of the new path, keeping the old files: they stand for the transfers still in flight.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDevServer } from '../src/devtools/temporal-server';
import { ensureRabbitMq } from '../src/devtools/prerequisites';
import { workflowIdFor } from '../src/shared/types';
import { startStack, type Stack } from '../test/helpers/stack';
import { HISTORY_FILE_SUFFIX, historyToFile } from '../test/replay/history-file';
import { SCENARIOS, type Scenario } from '../test/replay/scenarios';

const DIR = join(__dirname, '..', 'test', 'replay', 'histories');

async function saveRuns(stack: Stack, scenario: Scenario, transferId: string): Promise<number> {
  const workflowId = workflowIdFor(transferId);
  const runs: { runId: string; startTime: Date }[] = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(wf);
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const old of readdirSync(DIR).filter((f) => f.startsWith(`${scenario.name}.`))) rmSync(join(DIR, old));
  for (const [i, run] of runs.entries()) {
    const history = await stack.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    writeFileSync(join(DIR, `${scenario.name}.${i + 1}${HISTORY_FILE_SUFFIX}`), historyToFile(history));
  }
  return runs.length;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const scenarios = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.name));
  if (scenarios.length === 0) throw new Error(`no scenario named ${wanted.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  mkdirSync(DIR, { recursive: true });
  await ensureRabbitMq();
  const server = await startDevServer({ dbFile: join('.data', `record-temporal-${process.pid}.db`) });
  process.env.TEMPORAL_ADDRESS = server.address;
  try {
    for (const scenario of scenarios) await record(scenario);
  } finally {
    await server.stop();
  }
}

/** A stack per scenario: scenarios differ in settings (page size, activity size) and the worker reads them once. */
async function record(scenario: Scenario): Promise<void> {
  const stack = await startStack({ env: scenario.env ?? {} });
  try {
    const transferId = await scenario.run(stack);
    const runs = await saveRuns(stack, scenario, transferId);
    console.log(`${scenario.name}: ${runs} run(s) saved`);
  } finally {
    await stack.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
