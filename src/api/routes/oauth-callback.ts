import type { Request, RequestHandler, Response } from 'express';
import type { OAuth2Client } from 'google-auth-library';
import { jobsPublished } from '../../shared/metrics';
import type { JobPublisherLike } from '../../amqp/publisher';
import type { Sealer } from '../../shared/crypto';
import type { Logger } from '../../shared/logger';
import { grantsDriveAccess } from '../google-oauth';
import { OAuthState, isExpired, openState } from '../oauth-state';
import { sendInvalidLinkPage } from '../pages';
import { withQuery } from '../redirects';
import { buildTransferJob } from '../transfer-job';

/** The `reason` added to the fail link; the front end maps it to a message. */
export type FailReason =
  | 'expired'
  | 'access_denied'
  | 'oauth_error'
  | 'invalid_request'
  | 'token_exchange_failed'
  | 'scope_not_granted'
  | 'no_refresh_token'
  | 'queue_unavailable';

export interface OAuthCallbackDeps {
  sealer: Sealer;
  oauth: OAuth2Client;
  publisher: JobPublisherLike;
  logger: Logger;
}

/**
 * Google's redirect back after consent: exchange the code, queue the job, send the browser on. The success link
 * is used only once RabbitMQ has confirmed the job, so "success" means the transfer cannot be lost. The access
 * token is dropped; the refresh token leaves this function only sealed.
 */
export function oauthCallback({ sealer, oauth, publisher, logger }: OAuthCallbackDeps): RequestHandler {
  return async (req, res) => {
    const state = openState(sealer, queryParam(req, 'state'));
    if (!state) {
      logger.warn('OAuth callback with a missing or invalid state');
      return sendInvalidLinkPage(res);
    }
    const log = logger.child({ transfer_id: state.transfer_id });
    const fail = (reason: FailReason): void => {
      log.info({ reason }, 'transfer not started');
      res.redirect(302, withQuery(state.redirect_fail_link, { reason }));
    };

    if (isExpired(state)) return fail('expired');
    const error = queryParam(req, 'error');
    if (error !== undefined) return fail(error === 'access_denied' ? 'access_denied' : 'oauth_error');
    const code = queryParam(req, 'code');
    if (!code) return fail('invalid_request');

    let tokens;
    try {
      ({ tokens } = await oauth.getToken({ code, codeVerifier: state.code_verifier }));
    } catch (err) {
      log.warn(describeTokenError(err), 'code exchange failed');
      return fail('token_exchange_failed');
    }
    if (!grantsDriveAccess(tokens.scope)) {
      revokeQuietly(oauth, tokens.refresh_token ?? tokens.access_token, log);
      return fail('scope_not_granted');
    }
    if (!tokens.refresh_token) return fail('no_refresh_token');

    const job = buildTransferJob(state, sealer.seal('refresh-token', tokens.refresh_token));
    try {
      await publisher.publish(job);
      jobsPublished.inc({ outcome: 'confirmed' });
    } catch (err) {
      jobsPublished.inc({ outcome: 'failed' });
      log.error({ err: (err as Error).message, error_code: (err as { code?: unknown }).code }, 'could not queue the transfer');
      return fail('queue_unavailable');
    }
    log.info('transfer queued');
    succeed(res, state);
  };
}

function succeed(res: Response, state: OAuthState): void {
  res.redirect(302, withQuery(state.redirect_success_link, { transfer_id: state.transfer_id }));
}

/** A repeated parameter (`?code=a&code=b`) counts as absent rather than guessing which one is meant. */
function queryParam(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** We asked for a grant we will not use: give it back. Best effort; the user's redirect does not wait for it. */
function revokeQuietly(oauth: OAuth2Client, token: string | null | undefined, log: Logger): void {
  if (!token) return;
  oauth.revokeToken(token).catch((err: unknown) => log.warn(describeTokenError(err), 'could not revoke the token'));
}

/** Status and OAuth error code only: the error object also holds the request, with the code and client secret. */
function describeTokenError(err: unknown): Record<string, unknown> {
  const response = (err as { response?: { status?: unknown; data?: { error?: unknown } } }).response;
  return { status: response?.status, oauth_error: response?.data?.error, err: (err as Error).name };
}
