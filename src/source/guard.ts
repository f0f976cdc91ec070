import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { TransferError } from '../shared/errors';
import { HostRule, isHostAllowed } from '../shared/hosts';

/**
 * The download guard's decisions, as pure functions: which URL a download (or one redirect hop of it) may ask
 * for, and which address it may connect to. src/source/http.ts applies them to every hop and at connect time.
 */

/** Whether a download may connect to this address (a literal in the URL, or what its host name resolves to). */
export type AddressPolicy = (address: string) => boolean;

/** Opened by ALLOW_PRIVATE_SOURCE_ADDRESSES, for emulators on loopback or a private network. */
const PRIVATE_RANGES: ReadonlySet<string> = new Set(['loopback', 'private', 'carrierGradeNat', 'uniqueLocal']);

/** Cloud metadata endpoints inside ranges the switch opens (169.254.169.254 is link-local: never allowed anyway). */
const METADATA = [ipaddr.parseCIDR('100.100.100.200/32'), ipaddr.parseCIDR('fd00:ec2::/32')];

const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * Only globally routable unicast (ipaddr.js's `unicast`: every special-purpose range is something else), plus
 * loopback and private ranges when `allowPrivate`. Unspecified, link-local, metadata, multicast and reserved
 * addresses are refused either way; `::` and 0.0.0.0 would reach this machine's loopback on Linux.
 */
export function isAddressAllowed(address: string, allowPrivate: boolean): boolean {
  return rangesOf(address).every((range) => range === 'unicast' || (allowPrivate && PRIVATE_RANGES.has(range)));
}

/**
 * The ranges of the addresses a packet to `address` really goes to: an IPv6 form that carries an IPv4 address
 * (IPv4-mapped, NAT64, 6to4, Teredo) is judged by that IPv4 address, since that is where it ends up.
 */
function rangesOf(address: string): string[] {
  const family = isIP(address);
  if (family === 0) return ['invalid'];
  if (family === 4) return [rangeOfV4(ipaddr.IPv4.parse(address))];
  const v6 = parseV6(address);
  const p = v6.parts;
  const embedded = (high: number, low: number) => rangeOfV4(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]));
  const range = v6.range();
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return [embedded(p[6]!, p[7]!)];
    case 'rfc6052':
      // The local-use prefix 64:ff9b:1::/48 (RFC 8215) embeds at an operator's choice of position: refused.
      return v6.match(NAT64_WELL_KNOWN) ? [embedded(p[6]!, p[7]!)] : [range];
    case '6to4':
      return [embedded(p[1]!, p[2]!)];
    case 'teredo':
      // Server address, then the client's, which is stored inverted (RFC 4380).
      return [embedded(p[2]!, p[3]!), embedded(p[6]! ^ 0xffff, p[7]! ^ 0xffff)];
  }
  if (range === 'unicast' && p.slice(0, 6).every((part) => part === 0)) return ['ipv4Compatible']; // ::a.b.c.d, deprecated
  return [isMetadata(v6) ? 'metadata' : range];
}

/**
 * ipaddr.js reads `::a.b.c.d` as IPv4-mapped, but the kernel reads it as IPv4-compatible (`::a.b.c.d` is not
 * `::ffff:a.b.c.d`): the dotted tail is turned into two hex groups first. The zone (`%eth0`) plays no part.
 */
function parseV6(address: string): ipaddr.IPv6 {
  const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
  const plain = address
    .replace(/%.*$/, '')
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) => `${group(a, b)}:${group(c, d)}`);
  return ipaddr.IPv6.parse(plain);
}

function rangeOfV4(ip: ipaddr.IPv4): string {
  return isMetadata(ip) ? 'metadata' : ip.range();
}

function isMetadata(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  return METADATA.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
}

export interface HopRules {
  allowlist: readonly HostRule[];
  /** Plain http allowed (local emulators); otherwise https only. */
  allowHttp: boolean;
  addressAllowed: AddressPolicy;
}

/**
 * Checks one URL of a download — the first or a redirect hop — before anything connects. A host given as an
 * address literal is judged here (no name lookup happens for it); a host name is judged at connect time.
 */
export function checkHop(url: string, rules: HopRules): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransferError('source_url_invalid', `not a URL: ${url.slice(0, 200)}`, false);
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && rules.allowHttp)) {
    throw new TransferError('source_url_invalid', `only ${rules.allowHttp ? 'http(s)' : 'https'} URLs are fetched, not ${parsed.protocol}`, false);
  }
  if (parsed.username || parsed.password) throw new TransferError('source_url_invalid', 'URLs with credentials are refused', false);
  if (!isHostAllowed(parsed, rules.allowlist)) {
    throw new TransferError('source_host_not_allowed', `host ${parsed.host} is not on the allowlist`, false);
  }
  const literal = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !rules.addressAllowed(literal)) {
    throw new TransferError('source_blocked', `address ${parsed.hostname} is not allowed`, false);
  }
  return parsed;
}
