import type { RequestHandler } from 'express';
import { Sealer, randomId } from '../../shared/crypto';
import type { Logger } from '../../shared/logger';
import { ApiError } from '../errors';
import { ConsentProvider, pkceFor } from '../consent';
import { sealState, stateExpiry } from '../oauth-state';
import { TransferRequestSchema, parseTransferRequest } from '../transfer-request';

export interface StartTransferDeps {
  schema: TransferRequestSchema;
  sealer: Sealer;
  consent: ReadonlyMap<string, ConsentProvider>;
  logger: Logger;
}

/**
 * `POST /cloud_archive`: validates the request and answers with the destination's consent URL. No I/O here —
 * the whole request travels in the sealed state — so this stays cheap under load.
 */
export function startTransfer({ schema, sealer, consent, logger }: StartTransferDeps): RequestHandler {
  return (req, res) => {
    const request = parseTransferRequest(schema, req.body);
    const provider = consent.get(request.cloud_type);
    if (!provider) {
      throw new ApiError(501, 'cloud_type_not_supported', `cloud_type "${request.cloud_type}" is not enabled on this server.`, 'cloud_type');
    }
    const transferId = randomId();
    const state = sealState(sealer, { transfer_id: transferId, ...request, exp: stateExpiry() });
    logger.info({ transfer_id: transferId, archive_type: request.archive_type, cloud_type: request.cloud_type }, 'consent requested');
    res.json({ redirect_to: provider.consentUrl(state, pkceFor(sealer, transferId).codeChallenge), transfer_id: transferId });
  };
}
