import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { revokeGrant } from '../providers/revoke';
import { SealError, Sealer } from '../shared/crypto';
import { TransferError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { startTransfer } from '../temporal/start';
import { classifyDuplicate } from './duplicate-job';
import type { StartWorkflow } from './handle-message';

export interface TransferStarterDeps {
  config: Config;
  client: () => Promise<Client>;
  logger: Logger;
}

/**
 * The bridge's start: `transfer-<id>` exactly once, and the grant of a duplicate job given back when it is not
 * the transfer's own (see classifyDuplicate). The job is acked only after that, so a revoke that failed for a
 * transient reason is tried again with the message; one the provider refuses for good is logged and dropped.
 */
export function transferStarter({ config, client, logger }: TransferStarterDeps): StartWorkflow {
  const sealer = new Sealer(config.SECRET_KEY);
  return async (input) => {
    const temporal = await client();
    const outcome = await startTransfer(temporal, config.TEMPORAL_TASK_QUEUE, input);
    if (outcome === 'already-exists' && (await classifyDuplicate(temporal, sealer, input)) === 'foreign-grant') {
      const log = logger.child({ transfer_id: input.transferId });
      try {
        await revokeGrant(config, sealer, input.cloudType, sealer.open('refresh-token', input.sealedRefreshToken));
        log.info('revoked the grant of a duplicate job: no transfer will use it');
      } catch (err) {
        const forGood = err instanceof SealError || (err instanceof TransferError && !err.retryable);
        if (!forGood) throw err;
        log.error({ err: err.message }, 'could not revoke the grant of a duplicate job');
      }
    }
    return outcome;
  };
}
