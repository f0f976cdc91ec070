import type { Client } from '@temporalio/client';
import { SealError, Sealer } from '../shared/crypto';
import { TransferInput, workflowIdFor } from '../shared/types';
import { WITHDRAWN_WORKFLOW_TYPE } from '../temporal/withdraw';

export type DuplicateKind = 'copy' | 'foreign-grant';

/**
 * A job whose transfer id is taken already. Either it is a copy of the job that started the transfer (a
 * redelivery, a re-send after a lost confirm): the same sealed grant, nothing to do. Or it carries a grant no
 * transfer will ever use: another approval of the same consent link that reached the queue (only when the API
 * could not claim the link in Temporal, see src/api/consent-claim.ts), or a copy of a job the API withdrew.
 * Nobody else holds that grant, so whoever drops the job must give it back.
 * When in doubt — the running transfer's grant cannot be read or opened — it is a copy: revoking the wrong grant
 * would break a running transfer.
 */
export async function classifyDuplicate(client: Client, sealer: Sealer, input: TransferInput): Promise<DuplicateKind> {
  const workflowId = workflowIdFor(input.transferId);
  const description = await client.workflow.getHandle(workflowId).describe();
  if (description.type === WITHDRAWN_WORKFLOW_TYPE) return 'foreign-grant';
  const running = await currentInput(client, workflowId);
  if (!running) return 'copy';
  return sameGrant(sealer, running.sealedRefreshToken, input.sealedRefreshToken) ? 'copy' : 'foreign-grant';
}

/** The input of the workflow's current run (continue-as-new passes it on unchanged): its first history event. */
async function currentInput(client: Client, workflowId: string): Promise<TransferInput | null> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? client.options.loadedDataConverter.payloadConverter.fromPayload<TransferInput>(payload) : null;
}

/** Sealing is randomised: the same grant sealed twice differs, so unequal sealed values are opened and compared. */
function sameGrant(sealer: Sealer, a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return sealer.open('refresh-token', a) === sealer.open('refresh-token', b);
  } catch (err) {
    if (err instanceof SealError) return true;
    throw err;
  }
}
