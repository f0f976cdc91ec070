import { createHash } from 'node:crypto';
import { jsonReply, type Reply } from '../../shared/http';
import type { GoogleContext } from '../context';
import { DriveError } from '../errors';
import type { Exchange, Route } from '../router';
import type { Schema } from './fields';
import { authenticate } from './auth';
import { checkCommonParams, fieldsProjector } from './params';

const ABOUT_SCHEMA: Schema = {
  kind: 'value',
  user: { kind: 'value', displayName: 'value', emailAddress: 'value', permissionId: 'value', me: 'value' },
  storageQuota: { limit: 'value', usage: 'value', usageInDrive: 'value', usageInDriveTrash: 'value' },
};

/**
 * about.get (developers.google.com/workspace/drive/api/reference/rest/v3/about): the user and their storage quota.
 * As on Drive, `fields` is required, int64 values are JSON strings, and `limit` is absent for an unlimited account.
 */
export function aboutRoutes(ctx: GoogleContext): Route[] {
  async function get(ex: Exchange): Promise<Reply> {
    const q = ex.url.searchParams;
    checkCommonParams(q);
    if (!q.get('fields')) {
      throw new DriveError(400, 'required', "The 'fields' parameter is required for this method.", { location: 'fields', locationType: 'parameter' });
    }
    const select = fieldsProjector(q.get('fields'), ABOUT_SCHEMA, '');
    ex.fault();
    const inDrive = ctx.drives.of(ex.user).bytesUsed;
    const limit = ctx.opts.storageQuotaBytes;
    return jsonReply(200, select({
      kind: 'drive#about',
      user: { kind: 'drive#user', displayName: ex.user, emailAddress: ex.user, permissionId: permissionIdOf(ex.user), me: true },
      storageQuota: {
        ...(limit === undefined ? {} : { limit: String(limit) }),
        usage: String(inDrive),
        usageInDrive: String(inDrive),
        usageInDriveTrash: '0',
      },
    }));
  }
  return [{ methods: ['GET'], path: /^\/drive\/v3\/about$/, group: 'drive', auth: authenticate, op: () => 'about', handle: get }];
}

/** Drive's permission ids are stable numeric strings per account. */
function permissionIdOf(user: string): string {
  return BigInt(`0x${createHash('sha256').update(user).digest('hex').slice(0, 15)}`).toString();
}
