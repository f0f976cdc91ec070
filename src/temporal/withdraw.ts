import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { workflowIdFor } from '../shared/types';

/** The type of the placeholder run that holds a withdrawn transfer's workflow id. No worker ever runs it. */
export const WITHDRAWN_WORKFLOW_TYPE = 'withdrawnTransfer';

export type WithdrawOutcome = 'withdrawn' | 'already-started';

/**
 * Makes sure a transfer whose job RabbitMQ never confirmed can never start — a copy of the job may still be
 * queued, and the user is about to be told it failed. It takes the transfer's workflow id first with a run that
 * is terminated at once; the bridge's start (REJECT_DUPLICATE) then finds the id taken and starts nothing.
 * If the bridge got there first, the transfer is running: 'already-started', and the user should hear so.
 */
export async function withdrawTransfer(client: Client, taskQueue: string, transferId: string): Promise<WithdrawOutcome> {
  const workflowId = workflowIdFor(transferId);
  try {
    const handle = await client.workflow.start(WITHDRAWN_WORKFLOW_TYPE, {
      workflowId,
      // A queue no worker polls: the placeholder must never run, only exist.
      taskQueue: `${taskQueue}.withdrawn`,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Closes it by itself should this process die before the terminate below.
      workflowExecutionTimeout: '1 minute',
      staticSummary: 'withdrawn: RabbitMQ never confirmed the job; holds the id so no copy of it can start',
    });
    await handle.terminate('withdrawn: the job was never confirmed').catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
    return 'withdrawn';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    // Taken already: by the transfer itself, or by an earlier withdrawal of the same job (a double click).
    const description = await client.workflow.getHandle(workflowId).describe();
    return description.type === WITHDRAWN_WORKFLOW_TYPE ? 'withdrawn' : 'already-started';
  }
}
