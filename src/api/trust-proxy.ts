import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * `TRUST_PROXY`: which proxies in front of the API may tell it the client's address (`X-Forwarded-For`), in
 * Express's terms: a number of hops, or a comma-separated list of addresses, CIDR ranges and the names
 * `loopback`, `linklocal`, `uniquelocal`. Unset: none — the client is whoever opened the connection, which behind
 * an ingress is the ingress, so per-client limits would count every user as one. `true` (trust anyone) is not
 * accepted: any client could then claim any address and slip past per-client limits.
 */
export type TrustProxy = false | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('must be a hop count or a list of addresses');
  for (const entry of entries) {
    if (!NAMES.has(entry) && !ipaddr.isValid(entry) && !ipaddr.isValidCIDR(entry)) {
      throw new Error(`"${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
    }
  }
  return entries;
}

export const trustProxySetting = z.string().transform((value, ctx) => {
  try {
    return parseTrustProxy(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
