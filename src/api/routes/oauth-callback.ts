import type { Request, RequestHandler, Response } from 'express';
import { jobsPublished } from '../../shared/metrics';
import type { JobPublisherLike } from '../../amqp/publisher';
import type { Sealer } from '../../shared/crypto';
import type { Logger } from '../../shared/logger';
import type { ConsentClaim } from '../consent-claim';
import { ConsentProvider, GrantedAccess, pkceFor } from '../consent';
import { OAuthState, isExpired, openState } from '../oauth-state';
import { sendInvalidLinkPage } from '../pages';
import { redirectTo, withQuery } from '../redirects';
import { buildTransferJob } from '../transfer-job';

/** The `reason` added to the fail link; the front end maps it to a message (docs/front-end.md lists them all). */
export const FAIL_REASONS = [
  'expired',
  'access_denied',
  'oauth_error',
  'invalid_request',
  'token_exchange_failed',
  'scope_not_granted',
  'no_refresh_token',
  'already_used',
  'queue_unavailable',
] as const;
export type FailReason = (typeof FAIL_REASONS)[number];

export interface OAuthCallbackDeps {
  sealer: Sealer;
  provider: ConsentProvider;
  publisher: JobPublisherLike;
  claim: ConsentClaim;
  logger: Logger;
}

/**
 * The provider's redirect back after consent: exchange the code, claim the consent link, queue the job, send the
 * browser on. The success link is used only once RabbitMQ has confirmed the job, so "success" means the transfer
 * cannot be lost. A grant we will not use — wrong scopes, no refresh token, a link approved before, a job we
 * could not queue — is revoked before the browser goes to the fail link. The access token is dropped; the
 * refresh token leaves this function only sealed.
 */
export function oauthCallback({ sealer, provider, publisher, claim, logger }: OAuthCallbackDeps): RequestHandler {
  return async (req, res) => {
    const sealedState = queryParam(req, 'state');
    const state = openState(sealer, sealedState);
    // A state made for another destination is as foreign here as a forged one.
    if (!state || state.cloud_type !== provider.cloudType) {
      logger.warn('OAuth callback with a missing or invalid state');
      return sendInvalidLinkPage(res);
    }
    const log = logger.child({ transfer_id: state.transfer_id });
    const fail = (reason: FailReason): void => {
      log.info({ reason }, 'transfer not started');
      // The transfer id lets the gallery (and support) name this attempt; after `already_used` it is the running
      // transfer of the first approval.
      redirectTo(res, withQuery(state.redirect_fail_link, { reason, transfer_id: state.transfer_id }));
    };

    if (isExpired(state)) return fail('expired');
    const error = queryParam(req, 'error');
    if (error !== undefined) return fail(error === 'access_denied' ? 'access_denied' : 'oauth_error');
    const code = queryParam(req, 'code');
    if (!code) return fail('invalid_request');

    let access: GrantedAccess;
    try {
      const keyId = sealer.sealedWith(sealedState!) ?? undefined;
      access = await provider.exchangeCode(code, pkceFor(sealer, state.transfer_id, keyId).codeVerifier);
    } catch (err) {
      log.warn(provider.describeError(err), 'code exchange failed');
      return fail('token_exchange_failed');
    }
    const giveBack = async (reason: FailReason): Promise<void> => {
      await revokeQuietly(provider, access, log);
      fail(reason);
    };
    if (!provider.grantsAccess(access.scope)) return giveBack('scope_not_granted');
    if (!access.refreshToken) return giveBack('no_refresh_token');
    if ((await claim(state.transfer_id, log)) === 'already_used') return giveBack('already_used');

    const job = buildTransferJob(state, sealer.seal('refresh-token', access.refreshToken));
    try {
      await publisher.publish(job);
      jobsPublished.inc({ outcome: 'confirmed' });
    } catch (err) {
      jobsPublished.inc({ outcome: 'failed' });
      log.error({ err: (err as Error).message, error_code: (err as { code?: unknown }).code }, 'could not queue the transfer');
      return giveBack('queue_unavailable');
    }
    log.info('transfer queued');
    succeed(res, state);
  };
}

function succeed(res: Response, state: OAuthState): void {
  redirectTo(res, withQuery(state.redirect_success_link, { transfer_id: state.transfer_id }));
}

/** A repeated parameter (`?code=a&code=b`) counts as absent rather than guessing which one is meant. */
function queryParam(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * We asked for a grant we will not use: give it back before the browser leaves (it is the only moment we hold
 * it). Never fails the request: a provider that cannot be reached leaves the grant to expire, and says so.
 */
async function revokeQuietly(provider: ConsentProvider, access: GrantedAccess, log: Logger): Promise<void> {
  try {
    await provider.revoke(access);
  } catch (err) {
    log.warn(provider.describeError(err), 'could not revoke the grant');
  }
}
