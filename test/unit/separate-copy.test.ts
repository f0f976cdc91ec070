import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openState, sealState, type OAuthState } from '../../src/api/oauth-state';
import { buildTransferJob } from '../../src/api/transfer-job';
import { createTransferRequestSchema, parseTransferRequest } from '../../src/api/transfer-request';
import { decodeJob } from '../../src/bridge/decode';
import { Sealer } from '../../src/shared/crypto';
import { parseHostList } from '../../src/shared/hosts';

/** `separate_copy` (#15 part 4): from the request, through the sealed OAuth state and the job, to the workflow input. */

const sealer = new Sealer('k'.repeat(40));
const state: OAuthState = {
  transfer_id: 't'.repeat(22),
  exp: 2_000_000_000,
  cloud_type: 'google_drive',
  archive_type: 'webs',
  redirect_success_link: 'https://front.lite.gallery/ok',
  redirect_fail_link: 'https://front.lite.gallery/fail',
  archive_url: 'https://arch-d.lite.gallery/g/api/stream/858329/f9d24b1dfb81a1bfa215cc008f46f3d3?mod=web',
  gallery_name: 'Gallery',
  separate_copy: false,
};
const schema = createTransferRequestSchema({ REDIRECT_URL_HOSTS: parseHostList('front.lite.gallery'), ARCHIVE_URL_HOSTS: parseHostList('arch-d.lite.gallery') });
const body = { ...state, transfer_id: undefined, exp: undefined, separate_copy: undefined };

test('the request field is optional (false) and must be a boolean', () => {
  assert.equal(parseTransferRequest(schema, body).separate_copy, false);
  assert.equal(parseTransferRequest(schema, { ...body, separate_copy: true }).separate_copy, true);
  assert.throws(() => parseTransferRequest(schema, { ...body, separate_copy: 'yes' }), { status: 400, code: 'invalid_field', field: 'separate_copy' });
});

test('Google Photos refuses a separate copy (its albums are known by title: it would duplicate every photo); saving again is fine', () => {
  const photos = { ...body, cloud_type: 'google_photos' };
  assert.equal(parseTransferRequest(schema, photos).separate_copy, false);
  assert.throws(() => parseTransferRequest(schema, { ...photos, separate_copy: true }), (err: { status: number; code: string; field: string; message: string }) => {
    assert.deepEqual([err.status, err.code, err.field], [400, 'invalid_field', 'separate_copy']);
    assert.match(err.message, /^separate_copy is not possible with google_photos/);
    return true;
  });
});

test('the sealed state carries it; a state sealed before it (version 2, in flight during a deploy) opens as false', () => {
  assert.equal(openState(sealer, sealState(sealer, { ...state, separate_copy: true }))?.separate_copy, true);
  assert.equal(openState(sealer, sealState(sealer, state))?.separate_copy, false);
  const { separate_copy: _, ...before } = state;
  const v2 = sealer.seal('oauth-state', ['2', ...Object.values(before).map(String)].join('\n'));
  assert.deepEqual(openState(sealer, v2), state);
});

test('the job names it only when true, and the bridge hands it to the workflow', () => {
  const plain = buildTransferJob(state, 'v2.sealed');
  assert.equal('separate_copy' in plain, false, 'jobs stay as they were by default');
  const separate = buildTransferJob({ ...state, separate_copy: true }, 'v2.sealed');
  assert.equal(separate.separate_copy, true);
  const config = { GALLERY_API_URL: 'https://app.litegallery.io' };
  const input = (job: object) => {
    const decoded = decodeJob(Buffer.from(JSON.stringify(job)), config);
    assert.ok(decoded.ok);
    return decoded.input;
  };
  assert.equal(input(separate).separateCopy, true);
  assert.equal('separateCopy' in input(plain), false);
});
