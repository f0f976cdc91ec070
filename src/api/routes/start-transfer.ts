import type { OAuth2Client } from 'google-auth-library';
import type { RequestHandler } from 'express';
import { Sealer, randomId } from '../../shared/crypto';
import type { Logger } from '../../shared/logger';
import { ApiError } from '../errors';
import { consentUrl } from '../google-oauth';
import { sealState, stateExpiry } from '../oauth-state';
import { TransferRequestSchema, parseTransferRequest } from '../transfer-request';

export interface StartTransferDeps {
  schema: TransferRequestSchema;
  sealer: Sealer;
  oauth: OAuth2Client;
  logger: Logger;
}

/**
 * `POST /cloud_archive`: validates the request and answers with Google's consent URL. No I/O here — the whole
 * request travels in the sealed state — so this stays cheap under load.
 */
export function startTransfer({ schema, sealer, oauth, logger }: StartTransferDeps): RequestHandler {
  return async (req, res) => {
    const request = parseTransferRequest(schema, req.body);
    if (request.cloud_type !== 'google_drive') {
      throw new ApiError(501, 'cloud_type_not_supported', `cloud_type "${request.cloud_type}" is not supported yet.`, 'cloud_type');
    }
    const transferId = randomId();
    const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
    const state = sealState(sealer, {
      v: 1,
      transfer_id: transferId,
      ...request,
      code_verifier: codeVerifier,
      exp: stateExpiry(),
    });
    logger.info({ transfer_id: transferId, archive_type: request.archive_type }, 'consent requested');
    // codeChallenge is optional in the library's type only; generateCodeVerifierAsync always sets it.
    res.json({ redirect_to: consentUrl(oauth, state, codeChallenge!), transfer_id: transferId });
  };
}
