import { TransferError } from '../../shared/errors';
import type { GoogleAuth } from '../google-auth';
import type { AccountLookup } from '../pacer';
import { driveClient } from './drive-client';

/**
 * The Google account a transfer writes to, for pacing per account: about.get's `user.permissionId`, stable per
 * account and readable under drive.file. Two transfers to one account get the same id, whatever their tokens.
 */
export function driveAccountLookup(auth: GoogleAuth, apiUrl: string): AccountLookup {
  const drive = driveClient(auth.client);
  return async (read) => {
    const res = await read('finding the Google account', () => drive.about.get({ fields: 'user(permissionId)' }, { rootUrl: `${apiUrl}/`, retry: false }));
    const id = res.data.user?.permissionId;
    if (!id) throw new TransferError('drive_bad_response', 'Drive named no account (about.get without user.permissionId)', true);
    return id;
  };
}
