import { LEGACY_ACCOUNT_WIDE_CODES, VERIFICATION_FAILED } from '../shared/errors';

/** What a failed photo tells the workflow, as the destination said it (see TransferError). */
export interface FailureFacts {
  accountWide: boolean;
  targetSpent: boolean;
}

/**
 * The facts of a failure; absent ones follow the rules from before destinations stated them. Outcomes and
 * failures recorded by earlier workers (histories being replayed, state carried over a continue-as-new) have no
 * flags, and neither has a unit that failed as a whole (the workflow knows only its failure type): those are
 * judged by their code, exactly as then — the frozen list of account-wide codes, and "a verification failure
 * spent its target" (Drive's rule, harmless for a destination without targets: it reserves nothing).
 */
export function failureFacts(failure: { code: string; accountWide?: boolean; targetSpent?: boolean }): FailureFacts {
  return {
    accountWide: failure.accountWide ?? LEGACY_ACCOUNT_WIDE_CODES.has(failure.code),
    targetSpent: failure.targetSpent ?? failure.code === VERIFICATION_FAILED,
  };
}
