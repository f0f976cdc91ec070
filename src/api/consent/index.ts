import type { Config } from '../../config';
import { DESTINATIONS } from '../../providers/registry';
import type { CloudType } from '../../shared/types';
import type { ConsentProvider } from './types';

export type { ConsentProvider, GrantedAccess } from './types';
export { pkceFor } from './pkce';

/** The destinations this deployment can send galleries to (those whose settings offer them), by cloud type. */
export function consentProviders(config: Config): Map<CloudType, ConsentProvider> {
  const providers = new Map<CloudType, ConsentProvider>();
  for (const { cloudType, callbackPath, consent } of DESTINATIONS) {
    const flow = consent(config, `${config.PUBLIC_URL}${callbackPath}`);
    if (flow) providers.set(cloudType, { ...flow, cloudType, callbackPath });
  }
  return providers;
}
