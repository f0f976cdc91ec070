import { createYandexEmulator } from '../../src/emulators/yandex';
import { emulatorEnv } from '../../src/sandbox/env';
import { yandexNodes } from '../helpers/drive-tree';
import { YANDEX_CLIENT, YANDEX_REDIRECT_URI, yandexLogin } from '../helpers/yandex-login';
import { ContractDestination, destinationContract, providerFromRegistry } from './destination-contract';

/** Yandex Disk in both modes: Yandex downloads each photo itself (server-side fetch), or we stream it. */
function startDisk(serverSideFetch: boolean): () => Promise<ContractDestination> {
  return async () => {
    const yandex = createYandexEmulator({ ...YANDEX_CLIENT, redirectUris: [YANDEX_REDIRECT_URI] });
    const { url } = await yandex.listen(0, '127.0.0.1');
    const refreshToken = await yandexLogin(url);
    const env = {
      ...emulatorEnv({
        googleUrl: 'http://127.0.0.1:9',
        galleryUrl: 'http://127.0.0.1:9',
        clientId: 'unused',
        clientSecret: 'unused',
        callbackSecret: 'contract-callback-secret',
        archiveHost: 'gallery.example',
        yandex: { url, ...YANDEX_CLIENT },
      }),
      YANDEX_SERVER_SIDE_FETCH: String(serverSideFetch),
    };
    const write = serverSideFetch ? 'uploadByUrl' : 'upload';
    const named = (name: string) => (ctx: { path?: string }) => ctx.path?.endsWith(`/${name}`) ?? false;
    return {
      provider: providerFromRegistry('yadisk', env, refreshToken),
      items: () => yandexNodes(yandex),
      bytesReceivedFor: (name) => yandex.stats.uploadBytesReceivedFor(name),
      faultsFired: () => yandex.faults.fired.length,
      faults: {
        commitThenLoseAnswer: (name) => yandex.faults.add({ op: write, when: named(name), action: 'commitThenReset' }),
        // Server-side fetch checks only the size (Yandex reports no CRC32): the damage must change it.
        corruptStored: (name) => yandex.faults.add({ op: write, when: named(name), action: serverSideFetch ? 'truncateStored' : 'corruptStored' }),
        storageFull: () => yandex.faults.add({ op: write, action: { status: 507 } }),
        // Server-side fetch: the attempt dies at its first look at the operation, while Yandex downloads (slowly).
        cutMidFile: (_name, cut) => {
          yandex.setOptions({ fetchBytesPerSecond: 2 * 1024 * 1024 });
          yandex.faults.add({ op: 'operation', when: () => (cut(), true), action: { status: 500 } });
        },
      },
      userTrashes: (ref) => yandex.userTrashes(ref),
      close: () => yandex.close(),
    };
  };
}

destinationContract({ label: 'Yandex Disk (server-side fetch)', resumableBytes: 1024 * 1024, start: startDisk(true) });
destinationContract({
  label: 'Yandex Disk (streaming)',
  resumableBytes: 1024 * 1024,
 
  cannotResume: "Yandex's upload links take a whole body or nothing: a cut upload is sent again from its first byte",
  start: startDisk(false),
});
