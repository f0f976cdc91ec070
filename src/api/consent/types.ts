import type { ConsentFlow } from '../../providers/destination';
import type { CloudType } from '../../shared/types';

export type { GrantedAccess } from '../../providers/destination';

/**
 * One destination's consent flow as the API routes it: the start route builds the URL, the callback route
 * exchanges the code. The flow itself lives in the destination's folder (src/providers/<name>/consent.ts).
 */
export interface ConsentProvider extends ConsentFlow {
  readonly cloudType: CloudType;
  /** Where the provider sends the browser back (under PUBLIC_URL). */
  readonly callbackPath: string;
}
