import { createGoogleEmulator, PHOTOS_APPENDONLY_SCOPE, PHOTOS_READ_APP_CREATED_SCOPE } from '../../src/emulators/google';
import { emulatorEnv } from '../../src/sandbox/env';
import { CLIENT_ID, CLIENT_SECRET, login, REDIRECT_URI } from '../emulators/support';
import { photosNodes } from '../helpers/drive-tree';
import { ContractDestination, destinationContract, providerFromRegistry } from './destination-contract';

const KiB = 1024;
/** Photos above this go through the resumable protocol, in 256 KiB chunks; smaller ones in one raw upload. */
const RAW_MAX_BYTES = 256 * KiB;

async function startPhotos(): Promise<ContractDestination> {
  const google = createGoogleEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
  const { url } = await google.listen(0, '127.0.0.1');
  const { refresh_token: refreshToken } = await login(url, { offline: true, scope: `${PHOTOS_APPENDONLY_SCOPE} ${PHOTOS_READ_APP_CREATED_SCOPE}` });
  const env = {
    ...emulatorEnv({ googleUrl: url, galleryUrl: 'http://127.0.0.1:9', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackSecret: 'contract-callback-secret', archiveHost: 'gallery.example' }),
    MULTIPART_MAX_BYTES: String(RAW_MAX_BYTES),
    GOOGLE_PHOTOS_CHUNK_BYTES: String(256 * KiB),
  };
  const named = (name: string) => (ctx: { fileName?: string }) => ctx.fileName === name;
  return {
    provider: providerFromRegistry('google_photos', env, refreshToken!),
    items: () => photosNodes(google),
    bytesReceivedFor: (name) => google.uploadBytesReceivedFor(name),
    faultsFired: () => google.faults.fired.length,
    // Photos has no trash: the user deletes the album in the app (its photos stay in the library).
    userTrashes: (ref) => google.photos.userDeletesAlbum(ref),
    faults: {
      // The write that makes the item: batchCreate (an upload alone is not a photo).
      commitThenLoseAnswer: (name) => google.faults.add({ op: 'photosBatchCreate', when: named(name), action: 'commitThenReset' }),
      corruptStored: () => {
        throw new Error('the Photos emulator cannot store bytes damaged');
      },
      storageFull: () =>
        google.faults.add({ op: 'photosBatchCreate', action: { status: 400, message: "The remaining storage in the user's account is not enough to perform this operation." } }),
      // The second chunk's request: the first is committed and checkpointed.
      cutMidFile: (name, cut) =>
        google.faults.add({ op: 'photosUploadChunk', when: (ctx) => ctx.fileName === name && (ctx.range?.start ?? 0) > 0 && (cut(), true), action: 'reset' }),
    },
    close: () => google.close(),
  };
}

destinationContract({
  label: 'Google Photos',
  resumableBytes: 4 * 256 * KiB + 12_345,
  // Photos reports no checksum and cannot be made to store wrong bytes here; the size it received is checked (large files).
  cannotDamage: 'the Photos emulator cannot store a copy damaged, and Photos reports no checksum to catch one',
  // A raw upload's answer is the upload token alone: only the CRC32 of what was read is checked.
  smallCopyChecks: ['crc32'],
  start: startPhotos,
});
