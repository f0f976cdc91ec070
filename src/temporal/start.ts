import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { TransferInput, workflowIdFor } from '../shared/types';
import { ArchiveType, CloudType, GalleryId, GalleryName, TransferState } from './search-attributes';

export type StartOutcome = 'started' | 'already-exists';

/**
 * Starts the transfer workflow exactly once per transfer id. A second start for the same id — a redelivered
 * message, a double click on "Allow" — finds the running or finished workflow and starts nothing.
 * (REJECT_DUPLICATE covers closed runs for as long as the namespace retains them.)
 */
export async function startTransfer(client: Client, taskQueue: string, input: TransferInput): Promise<StartOutcome> {
  try {
    await client.workflow.start('transferWorkflow', {
      workflowId: workflowIdFor(input.transferId),
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: GalleryId, value: input.galleryId },
        { key: GalleryName, value: input.galleryName },
        { key: CloudType, value: input.cloudType },
        { key: ArchiveType, value: input.archiveType },
        { key: TransferState, value: 'queued' },
      ],
      staticSummary: `${input.galleryName} (gallery ${input.galleryId}, ${input.archiveType}) → ${input.cloudType}`.slice(0, 200),
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already-exists';
    throw err;
  }
}
