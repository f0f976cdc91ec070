import { loadConfigSubset } from '../config';
import { deadLetterQueueFor } from '../amqp/topology';
import { formatDeadJob } from '../bridge/dead-job';
import { DeadLetterError, listDeadJobs, replayDeadJob } from '../bridge/dead-letters';

/**
 * `npm run dlq -- list` — every dead-lettered transfer job: who it was for and why it died (no tokens).
 * `npm run dlq -- replay <transfer_id>` — re-publishes that job to the transfer queue, then removes it from the
 * dead queue. Listing as often as you like costs the jobs nothing (see src/bridge/dead-letters.ts).
 *
 * RabbitMQ and the queue come from AMQP_URL and AMQP_QUEUE, as for the services. In the cluster the bridge's pod
 * has both: `kubectl -n cloud-archive exec deploy/cloud-archive-bridge -- node dist/src/cli/dlq.js list`.
 * Exit codes: 0 done, 1 no such job / refused / RabbitMQ unreachable, 2 usage, 78 bad configuration.
 */

const USAGE = 'usage: npm run dlq -- list | replay <transfer_id>';

async function main(args: string[]): Promise<number> {
  const [command, transferId, ...rest] = args;
  if (!(command === 'list' && transferId === undefined) && !(command === 'replay' && transferId && rest.length === 0)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfigSubset(['AMQP_URL', 'AMQP_QUEUE', 'GALLERY_API_URL']);
  const deadQueue = deadLetterQueueFor(config.AMQP_QUEUE);
  if (command === 'list') {
    const jobs = await listDeadJobs({ config });
    process.stdout.write(`${deadQueue}: ${jobs.length} dead-lettered job${jobs.length === 1 ? '' : 's'}\n`);
    for (const job of jobs) process.stdout.write(`${formatDeadJob(job)}\n`);
    return 0;
  }
  const result = await replayDeadJob({ config }, transferId!);
  switch (result.outcome) {
    case 'replayed':
      process.stdout.write(`replayed ${transferId} to ${config.AMQP_QUEUE} (confirmed); removed ${result.copiesRemoved} cop${result.copiesRemoved === 1 ? 'y' : 'ies'} from ${deadQueue}\n`);
      return 0;
    case 'refused':
      process.stderr.write(`not replayed: the bridge would dead-letter ${transferId} again (${result.problem}); it stays in ${deadQueue}\n`);
      return 1;
    case 'not_found':
      process.stderr.write(`no dead-lettered job with transfer_id ${transferId} in ${deadQueue}\n`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof DeadLetterError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
