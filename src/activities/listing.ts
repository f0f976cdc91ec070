import type { Config } from '../config';
import { parseHostList } from '../shared/hosts';
import { TransferError } from '../shared/errors';
import { Listing, ListingError, parseListing } from '../source/listing';
import { sourceStatusError } from '../source/reader';
import type { SourceHttp } from '../source/http';

/**
 * Fetches and parses gallery listings, keeping the last few in memory: a 100,000-photo listing is read once
 * per worker, and each page of the transfer is a slice of it. Another worker (after a crash) fetches it again
 * and must get the same plan — the fingerprint proves it.
 */
export class ListingCache {
  readonly #entries = new Map<string, { listing: Promise<Listing>; at: number }>();
  readonly #galleryHosts;

  constructor(private readonly config: Config, private readonly http: SourceHttp) {
    this.#galleryHosts = parseHostList(new URL(config.GALLERY_API_URL).host);
  }

  async get(listingUrl: string, fresh = false): Promise<Listing> {
    const now = Date.now();
    for (const [key, value] of this.#entries) if (now - value.at > 60 * 60_000) this.#entries.delete(key);
    const cached = this.#entries.get(listingUrl);
    if (cached && !fresh) return cached.listing;
    const listing = this.#fetch(listingUrl);
    this.#entries.set(listingUrl, { listing, at: now });
    while (this.#entries.size > 4) this.#entries.delete(this.#entries.keys().next().value!);
    listing.catch(() => this.#entries.delete(listingUrl));
    return listing;
  }

  /**
   * The listing with the fingerprint the transfer was planned with: from memory, else fetched again. A gallery
   * that changed since then is refused rather than mixed with the plan.
   */
  async matching(listingUrl: string, fingerprint: string): Promise<Listing> {
    let listing = await this.get(listingUrl);
    if (listing.fingerprint !== fingerprint) listing = await this.get(listingUrl, true);
    if (listing.fingerprint !== fingerprint) {
      throw new TransferError('listing_changed', 'the gallery listing changed since the transfer started; start a new transfer for it', false);
    }
    return listing;
  }

  async #fetch(listingUrl: string): Promise<Listing> {
    const res = await this.http.get(listingUrl, { allowlist: this.#galleryHosts, headers: { accept: 'application/json' } });
    if (res.statusCode !== 200) {
      res.discard();
      const err = sourceStatusError(res.statusCode, { name: 'gallery listing' });
      throw new TransferError(err.code.replace('source_', 'listing_'), err.message, err.retryable);
    }
    const max = this.config.LISTING_MAX_BYTES;
    if (Number(res.headers['content-length'] ?? 0) > max) {
      res.discard();
      throw new TransferError('listing_too_large', `the gallery listing is larger than LISTING_MAX_BYTES (${max} bytes)`, false);
    }
    const parts: Buffer[] = [];
    let size = 0;
    for await (const piece of res.body()) {
      size += piece.length;
      if (size > max) {
        // Leaving the loop cuts the download.
        throw new TransferError('listing_too_large', `the gallery listing is larger than LISTING_MAX_BYTES (${max} bytes)`, false);
      }
      parts.push(piece);
    }
    try {
      return parseListing(Buffer.concat(parts).toString('utf8'), this.config.SOURCE_URL_HOSTS);
    } catch (err) {
      if (err instanceof ListingError) throw new TransferError('listing_invalid', err.message, false);
      throw err;
    }
  }
}
