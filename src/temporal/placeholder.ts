import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';

export interface PlaceholderOptions {
  workflowId: string;
  /** A type no worker registers, so the run is recognisable in the Web UI and by describe(). */
  workflowType: string;
  /** A task queue no worker polls: the placeholder must never run, only exist. */
  taskQueue: string;
  /** Shown in the Web UI. */
  summary: string;
}

/**
 * Takes a workflow id for good, or finds it taken: Temporal's cluster-wide unique claim. A run of a type no worker
 * knows is started with REJECT_DUPLICATE and terminated at once; while the namespace retains it (days; every
 * retention Temporal allows is at least one), nobody can start a workflow with that id again.
 * Returns false when the id was taken already (by anything).
 */
export async function holdWorkflowId(client: Client, options: PlaceholderOptions): Promise<boolean> {
  try {
    const handle = await client.workflow.start(options.workflowType, {
      workflowId: options.workflowId,
      taskQueue: options.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Closes it by itself should this process die before the terminate below.
      workflowExecutionTimeout: '1 minute',
      staticSummary: options.summary,
    });
    await handle.terminate(options.summary).catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
