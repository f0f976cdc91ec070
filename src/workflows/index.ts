// The workflow bundle's entry point: only deterministic orchestration is exported from here.
export { transferWorkflow, progressQuery, failedFilesQuery, retryFailedUpdate, retryFailedSignal, resendCallbackUpdate, resendCallbackSignal } from './transfer';
export type { TransferProgress, FailedFile, TransferState } from './transfer';
