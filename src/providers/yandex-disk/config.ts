import { z } from 'zod';
import { bool, httpUrl, positiveInt, SettingsRule } from '../../config/fields';

/** Yandex Disk's environment variables (part of the one configuration, src/config/index.ts). */
export const yandexDiskSettings = z.object({
  /** Without a client id, requests for `cloud_type: "yadisk"` get 501. */
  YANDEX_CLIENT_ID: z.string().min(1).optional(),
  YANDEX_CLIENT_SECRET: z.string().min(1).optional(),
  YANDEX_AUTH_URL: httpUrl.default('https://oauth.yandex.ru/authorize'),
  YANDEX_TOKEN_URL: httpUrl.default('https://oauth.yandex.ru/token'),
  YANDEX_REVOKE_URL: httpUrl.default('https://oauth.yandex.ru/revoke_token'),
  YANDEX_API_URL: httpUrl.default('https://cloud-api.yandex.net'),
  /** Let Yandex download photos from their gallery URLs itself; off when those URLs are not public (then we stream). */
  YANDEX_SERVER_SIDE_FETCH: bool.default(true),
  /**
   * The safe pace of Yandex Disk writes per account, per worker process, where each account's pace starts: raised
   * while writes succeed, up to YANDEX_WRITES_PER_SECOND_MAX, cut on a 429 (Yandex publishes no figure).
   */
  YANDEX_WRITES_PER_SECOND: z.coerce.number().positive().default(10),
  /** Ceiling of the pace found (a value under YANDEX_WRITES_PER_SECOND counts as it: fixed). */
  YANDEX_WRITES_PER_SECOND_MAX: z.coerce.number().positive().default(40),
  YANDEX_WRITE_BURST: positiveInt.default(10),
});

export type YandexDiskSettings = z.output<typeof yandexDiskSettings>;

export const yandexDiskRules: ReadonlyArray<SettingsRule<YandexDiskSettings>> = [
  {
    holds: (s) => !s.YANDEX_CLIENT_ID === !s.YANDEX_CLIENT_SECRET,
    message: 'set both YANDEX_CLIENT_ID and YANDEX_CLIENT_SECRET, or neither',
    path: 'YANDEX_CLIENT_SECRET',
  },
];

/** The app's client, when this deployment has one (the rule above makes the id and the secret come together). */
export function yandexClient(settings: YandexDiskSettings): { clientId: string; clientSecret: string } | null {
  const { YANDEX_CLIENT_ID: clientId, YANDEX_CLIENT_SECRET: clientSecret } = settings;
  return clientId && clientSecret ? { clientId, clientSecret } : null;
}
