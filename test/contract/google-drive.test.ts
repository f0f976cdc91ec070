import { createGoogleEmulator } from '../../src/emulators/google';
import { emulatorEnv } from '../../src/sandbox/env';
import { CLIENT_ID, CLIENT_SECRET, login, REDIRECT_URI } from '../emulators/support';
import { driveNodes } from '../helpers/drive-tree';
import { ContractDestination, destinationContract, providerFromRegistry } from './destination-contract';

const KiB = 1024;
/** Photos above this go through Drive's resumable protocol, in 256 KiB chunks. */
const MULTIPART_MAX_BYTES = 256 * KiB;

async function startDrive(): Promise<ContractDestination> {
  const google = createGoogleEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] });
  const { url } = await google.listen(0, '127.0.0.1');
  const { refresh_token: refreshToken } = await login(url, { offline: true });
  const env = {
    ...emulatorEnv({ googleUrl: url, galleryUrl: 'http://127.0.0.1:9', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callbackSecret: 'contract-callback-secret', archiveHost: 'gallery.example' }),
    MULTIPART_MAX_BYTES: String(MULTIPART_MAX_BYTES),
    UPLOAD_CHUNK_BYTES: String(256 * KiB),
  };
  const named = (name: string) => (ctx: { fileName?: string }) => ctx.fileName === name;
  return {
    provider: providerFromRegistry('google_drive', env, refreshToken!),
    items: () => driveNodes(google),
    bytesReceivedFor: (name) => google.uploadBytesReceivedFor(name),
    faultsFired: () => google.faults.fired.length,
    faults: {
      commitThenLoseAnswer: (name) => google.faults.add({ op: 'multipart', when: named(name), action: 'commitThenReset' }),
      corruptStored: (name) => google.faults.add({ op: 'multipart', when: named(name), action: 'corruptStored' }),
      storageFull: () => google.faults.add({ op: 'multipart', action: { status: 403, reason: 'storageQuotaExceeded', message: 'The user has exceeded their Drive storage quota' } }),
      // The second chunk's request: the first is committed and checkpointed.
      cutMidFile: (name, cut) =>
        google.faults.add({ op: 'chunk', when: (ctx) => ctx.fileName === name && (ctx.range?.start ?? 0) > 0 && (cut(), true), action: 'reset' }),
    },
    userTrashes: (ref) => google.userTrashes(ref),
    close: () => google.close(),
  };
}

destinationContract({ label: 'Google Drive', resumableBytes: 4 * 256 * KiB + 12_345, start: startDrive });
