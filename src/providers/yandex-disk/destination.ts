import { describeDestination } from '../destination';
import { yandexDiskRules, yandexDiskSettings } from './config';
import { yandexConsent } from './consent';

/** Registered with Yandex ID as the app's Redirect URI (under PUBLIC_URL). */
export const YANDEX_CALLBACK_PATH = '/cloud_archive/oauth/yandex/callback';

/** Yandex Disk, offered when YANDEX_CLIENT_ID is set. Its worker side: ./worker.ts. */
export const yandexDisk = describeDestination({
  cloudType: 'yadisk',
  label: 'Yandex Disk',
  callbackPath: YANDEX_CALLBACK_PATH,
  settings: yandexDiskSettings,
  rules: yandexDiskRules,
  enabledBy: 'YANDEX_CLIENT_ID',
  consent: yandexConsent,
});
