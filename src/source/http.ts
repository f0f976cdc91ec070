import { isIP } from 'node:net';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { Agent, Dispatcher, request } from 'undici';
import { HostRule, isHostAllowed } from '../shared/hosts';
import { TransferError } from '../shared/errors';
import { isAddressAllowed } from './guard';

/**
 * HTTP GET for gallery URLs (listing and photo bytes), guarded against SSRF:
 * - every URL, including each redirect hop, must be http(s) on the given host allowlist;
 * - the address a host name resolves to is checked at connect time, so DNS cannot point an allowed name at
 *   a cloud metadata endpoint. Only globally routable unicast addresses are allowed (guard.ts); loopback and
 *   private ranges too when `allowPrivate` (local emulators).
 */

function guardedAgent(allowPrivate: boolean): Agent {
  return new Agent({
    keepAliveTimeout: 10_000,
    connections: 64,
    headersTimeout: 60_000,
    bodyTimeout: 120_000,
    connect: {
      lookup(hostname, options, callback) {
        dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
          if (err) return callback(err, '', 0);
          const list = addresses as LookupAddress[];
          const bad = list.find((a) => !isAddressAllowed(a.address, allowPrivate));
          if (bad) {
            return callback(Object.assign(new Error(`address ${bad.address} of ${hostname} is not allowed`), { code: 'EADDRBLOCKED' }), '', 0);
          }
          const first = list[0]!;
          // undici asks with `all: true` in some versions; answer in the shape that was asked for.
          if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
          callback(null, first.address, first.family);
        });
      },
    },
  });
}

export interface GuardedGetOptions {
  allowlist: readonly HostRule[];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export class SourceHttp {
  readonly #agent: Agent;

  constructor(private readonly allowPrivate: boolean) {
    this.#agent = guardedAgent(allowPrivate);
  }

  /** Follows up to `maxRedirects` redirects, checking every hop. The caller consumes or dumps the body. */
  async get(rawUrl: string, opts: GuardedGetOptions): Promise<Dispatcher.ResponseData & { url: string }> {
    let url = rawUrl;
    for (let hop = 0; ; hop++) {
      const parsed = checkUrl(url, opts.allowlist);
      if (parsed.hostname && isIP(parsed.hostname.replace(/^\[|\]$/g, '')) && !isAddressAllowed(parsed.hostname.replace(/^\[|\]$/g, ''), this.allowPrivate)) {
        throw new TransferError('source_blocked', `address ${parsed.hostname} is not allowed`, false);
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await request(parsed, { method: 'GET', headers: opts.headers, signal: opts.signal, dispatcher: this.#agent });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRBLOCKED' || e.cause && (e.cause as NodeJS.ErrnoException).code === 'EADDRBLOCKED') {
          throw new TransferError('source_blocked', e.message, false);
        }
        if (e.name === 'AbortError') throw err;
        throw new TransferError('source_unreachable', `could not download from ${parsed.host}: ${e.code ?? e.message}`, true);
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        res.body.resume();
        if (hop >= (opts.maxRedirects ?? 5)) throw new TransferError('source_redirect_loop', `too many redirects from ${rawUrl}`, false);
        url = new URL(String(res.headers.location), parsed).toString();
        continue;
      }
      return Object.assign(res, { url });
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function checkUrl(url: string, allowlist: readonly HostRule[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransferError('source_url_invalid', `not a URL: ${url.slice(0, 200)}`, false);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TransferError('source_url_invalid', `only http(s) URLs are fetched, not ${parsed.protocol}`, false);
  }
  if (parsed.username || parsed.password) throw new TransferError('source_url_invalid', 'URLs with credentials are refused', false);
  if (!isHostAllowed(parsed, allowlist)) {
    throw new TransferError('source_host_not_allowed', `host ${parsed.host} is not on the allowlist`, false);
  }
  return parsed;
}
