import type { Config } from '../../config';
import type { CloudType } from '../../shared/types';
import { googleConsent } from './google';
import type { ConsentProvider } from './types';
import { yandexConsent } from './yandex';

export type { ConsentProvider, GrantedAccess } from './types';
export { pkceFor } from './pkce';

/** The destinations this deployment can send galleries to: Google always, Yandex when it has a client id. */
export function consentProviders(config: Config): Map<CloudType, ConsentProvider> {
  const providers = new Map<CloudType, ConsentProvider>([['google_drive', googleConsent(config)]]);
  const { YANDEX_CLIENT_ID, YANDEX_CLIENT_SECRET } = config;
  if (YANDEX_CLIENT_ID && YANDEX_CLIENT_SECRET) {
    providers.set('yadisk', yandexConsent({ ...config, YANDEX_CLIENT_ID, YANDEX_CLIENT_SECRET }));
  }
  return providers;
}
