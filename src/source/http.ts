import type { IncomingHttpHeaders } from 'node:http';
import { lookup as dnsLookup, LookupAddress } from 'node:dns';
import { Agent, Dispatcher, request } from 'undici';
import type { Config } from '../config';
import type { HostRule } from '../shared/hosts';
import { TransferError } from '../shared/errors';
import { AddressPolicy, checkHop, isAddressAllowed } from './guard';
import { StallWatch } from './stall';

/**
 * HTTP GET for gallery URLs (listing and photo bytes), guarded against SSRF and watched for stalls:
 * - every URL, including each redirect hop, must be https (http only with ALLOW_HTTP_SOURCES) on the given host
 *   allowlist, and an address literal in it must pass the address policy (guard.ts);
 * - the addresses a host name resolves to are checked at connect time, so DNS cannot point an allowed name at
 *   loopback or a cloud metadata endpoint;
 * - a download that makes no progress for the stall time is aborted with a retryable error (stall.ts);
 * - bodies we do not want (redirects, errors) are read only up to DISCARD_LIMIT, then the connection is cut.
 */

/** A small unwanted body is read to its end so the connection can be reused; a larger one is not worth it. */
const DISCARD_LIMIT = 64 * 1024;

type Lookup = typeof dnsLookup;

export interface SourceHttpOptions {
  addressAllowed: AddressPolicy;
  /** Plain http allowed (local emulators); otherwise every hop must be https. */
  allowHttp: boolean;
  /** Waiting this long on the source without progress aborts a download. */
  stallMs: number;
  /** Name resolution; node's resolver unless given (tests point names at addresses with it). */
  lookup?: Lookup;
  /** Certificates trusted besides the system's (tests serve https with their own). */
  ca?: string;
}

export interface GuardedGetOptions {
  allowlist: readonly HostRule[];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export interface SourceResponse {
  /** The URL that answered (after redirects). */
  url: string;
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body piece by piece; throws `source_stalled` when the source stops making progress. */
  body(): AsyncGenerator<Buffer>;
  /** Drops a body we do not want: at most DISCARD_LIMIT bytes are read. */
  discard(): void;
}

/** The client as configured for the worker. */
export function sourceHttpFor(
  config: Pick<Config, 'ALLOW_PRIVATE_SOURCE_ADDRESSES' | 'ALLOW_HTTP_SOURCES' | 'SOURCE_STALL_SECONDS'>,
  resolver: Pick<SourceHttpOptions, 'lookup'> = {},
): SourceHttp {
  return new SourceHttp({
    addressAllowed: (address) => isAddressAllowed(address, config.ALLOW_PRIVATE_SOURCE_ADDRESSES),
    allowHttp: config.ALLOW_HTTP_SOURCES,
    stallMs: config.SOURCE_STALL_SECONDS * 1000,
    ...resolver,
  });
}

export class SourceHttp {
  readonly #agent: Agent;

  constructor(private readonly options: SourceHttpOptions) {
    this.#agent = guardedAgent(options);
  }

  /** Follows up to `maxRedirects` redirects, checking every hop. The caller reads or discards the body. */
  async get(rawUrl: string, opts: GuardedGetOptions): Promise<SourceResponse> {
    const rules = { allowlist: opts.allowlist, allowHttp: this.options.allowHttp, addressAllowed: this.options.addressAllowed };
    let url = rawUrl;
    for (let hop = 0; ; hop++) {
      const parsed = checkHop(url, rules);
      const watch = new StallWatch(this.options.stallMs, parsed.host);
      const signal = opts.signal ? AbortSignal.any([watch.signal, opts.signal]) : watch.signal;
      const res = await watch.wait(this.#request(parsed, opts.headers, signal));
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        this.#discard(res.body);
        if (hop >= (opts.maxRedirects ?? 5)) throw new TransferError('source_redirect_loop', `too many redirects from ${parsed.host}`, false);
        url = new URL(String(res.headers.location), parsed).toString();
        continue;
      }
      return {
        url,
        statusCode: res.statusCode,
        headers: res.headers,
        body: () => watch.pieces(res.body),
        discard: () => this.#discard(res.body),
      };
    }
  }

  async #request(url: URL, headers: Record<string, string> | undefined, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    try {
      return await request(url, { method: 'GET', headers, signal, dispatcher: this.#agent });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (err instanceof TransferError || signal.aborted) throw err;
      if (e.code === 'EADDRBLOCKED' || (e.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRBLOCKED') {
        throw new TransferError('source_blocked', e.message, false);
      }
      throw new TransferError('source_unreachable', `could not download from ${url.host}: ${e.code ?? e.message}`, true);
    }
  }

  /** Reads at most DISCARD_LIMIT bytes (for no longer than the stall time), then cuts the connection. */
  #discard(body: Dispatcher.ResponseData['body']): void {
    body.dump({ limit: DISCARD_LIMIT, signal: AbortSignal.timeout(this.options.stallMs) }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function guardedAgent(options: SourceHttpOptions): Agent {
  const resolve = options.lookup ?? dnsLookup;
  return new Agent({
    keepAliveTimeout: 10_000,
    connections: 64,
    // Backstops only: StallWatch ends a stalled download sooner; these also cover the bodies we discard.
    headersTimeout: 2 * options.stallMs,
    bodyTimeout: 2 * options.stallMs,
    connect: {
      ...(options.ca && { ca: options.ca }),
      lookup(hostname, lookupOptions, callback) {
        resolve(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
          if (err) return callback(err, '', 0);
          const list = addresses as LookupAddress[];
          const bad = list.find((a) => !options.addressAllowed(a.address));
          if (bad) {
            return callback(Object.assign(new Error(`address ${bad.address} of ${hostname} is not allowed`), { code: 'EADDRBLOCKED' }), '', 0);
          }
          const first = list[0]!;
          // undici asks with `all: true` in some versions; answer in the shape that was asked for.
          if ((lookupOptions as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
          callback(null, first.address, first.family);
        });
      },
    },
  });
}
