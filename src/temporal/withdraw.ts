import type { Client } from '@temporalio/client';
import { workflowIdFor } from '../shared/types';
import { holdWorkflowId } from './placeholder';

/** The type of the placeholder run that holds a withdrawn transfer's workflow id. No worker ever runs it. */
export const WITHDRAWN_WORKFLOW_TYPE = 'withdrawnTransfer';

export type WithdrawOutcome = 'withdrawn' | 'already-started';

/**
 * Makes sure a transfer whose job RabbitMQ never confirmed can never start — a copy of the job may still be
 * queued, and the user is about to be told it failed. It takes the transfer's workflow id first with a placeholder
 * run; the bridge's start (REJECT_DUPLICATE) then finds the id taken and starts nothing.
 * If the bridge got there first, the transfer is running: 'already-started', and the user should hear so.
 */
export async function withdrawTransfer(client: Client, taskQueue: string, transferId: string): Promise<WithdrawOutcome> {
  const workflowId = workflowIdFor(transferId);
  const held = await holdWorkflowId(client, {
    workflowId,
    workflowType: WITHDRAWN_WORKFLOW_TYPE,
    taskQueue: `${taskQueue}.withdrawn`,
    summary: 'withdrawn: RabbitMQ never confirmed the job; holds the id so no copy of it can start',
  });
  if (held) return 'withdrawn';
  // Taken already: by the transfer itself, or by an earlier withdrawal of the same job (a double click).
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.type === WITHDRAWN_WORKFLOW_TYPE ? 'withdrawn' : 'already-started';
}
