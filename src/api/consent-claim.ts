import type { Logger } from '../shared/logger';
import { claimConsent } from '../temporal/claim';
import type { TemporalClientSource } from './transfers/status-source';

export type ClaimOutcome = 'claimed' | 'already_used' | 'unverified';

/** Marks a consent link used; the callback asks before it queues a job. */
export type ConsentClaim = (transferId: string, log: Logger) => Promise<ClaimOutcome>;

/** The browser waits on our redirect meanwhile. */
const CLAIM_TIMEOUT_MS = 3_000;

/**
 * A consent link (its sealed state) may be approved more than once within its 10 minutes: the Back button, a
 * second account, a forwarded link. API replicas keep no state, so the claim is a Temporal workflow id
 * (`consent-<transfer_id>`, REJECT_DUPLICATE): the first callback takes it and queues its job; any later one is
 * told `already_used`, and its grant is revoked.
 *
 * When Temporal cannot be reached (or does not answer within CLAIM_TIMEOUT_MS) the claim is 'unverified' and the
 * callback queues its job anyway, rather than refusing every consent while Temporal is away (the bridge holds
 * jobs until it is back). What still holds then: at most one transfer per link — the bridge starts
 * `transfer-<transfer_id>` with REJECT_DUPLICATE — and no grant is left behind — the bridge revokes the grant of
 * a job it drops as a duplicate (src/bridge/duplicate-job.ts). What does not: the second approver is sent to the
 * success link (of the first approver's transfer) instead of `already_used`.
 */
export function consentClaimer(temporal: TemporalClientSource, taskQueue: string): ConsentClaim {
  return async (transferId, log) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${CLAIM_TIMEOUT_MS} ms`)), CLAIM_TIMEOUT_MS);
    });
    try {
      const claim = temporal.get().then((client) => claimConsent(client, taskQueue, transferId));
      return (await Promise.race([claim, expired])) ? 'claimed' : 'already_used';
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not claim the consent link in Temporal; queueing the job unclaimed (the bridge drops a duplicate)');
      return 'unverified';
    } finally {
      clearTimeout(timer);
    }
  };
}
