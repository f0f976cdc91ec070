import type { Client } from '@temporalio/client';
import { holdWorkflowId } from './placeholder';

/** The placeholder run that marks a consent link (its OAuth state) as used. No worker ever runs it. */
export const CONSENT_CLAIM_WORKFLOW_TYPE = 'consentClaim';

export const consentClaimIdFor = (transferId: string): string => `consent-${transferId}`;

/**
 * Claims the consent link of `transferId` for the callback that calls this first, across every API replica:
 * true for that one, false for any later callback with the same state (a second approval of the link).
 */
export function claimConsent(client: Client, taskQueue: string, transferId: string): Promise<boolean> {
  return holdWorkflowId(client, {
    workflowId: consentClaimIdFor(transferId),
    workflowType: CONSENT_CLAIM_WORKFLOW_TYPE,
    taskQueue: `${taskQueue}.claims`,
    summary: 'consent link used: a second approval of it starts nothing',
  });
}
