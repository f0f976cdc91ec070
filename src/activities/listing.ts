import type { Config } from '../config';
import { parseHostList } from '../shared/hosts';
import { TransferError } from '../shared/errors';
import { Listing, ListingError, parseListing } from '../source/listing';
import { sourceStatusError } from '../source/reader';
import type { SourceHttp } from '../source/http';

const MAX_AGE_MS = 60 * 60_000;

interface Entry {
  listing: Promise<Listing>;
  at: number;
  /** Bytes downloaded for it; null while it is being fetched. */
  bytes: number | null;
}

/**
 * Fetches and parses gallery listings, keeping recent ones in memory: a 100,000-photo listing is read once per
 * worker, and each page of the transfer is a slice of it. Another worker (after a crash) fetches it again and
 * must get the same plan — the fingerprint proves it. The cache holds at most LISTING_CACHE_BYTES of listings
 * (as downloaded), dropping the least recently used: a count of entries would let a few large listings exhaust
 * the worker's memory.
 */
export class ListingCache {
  /** In order of use, least recent first. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  readonly #galleryHosts;

  constructor(private readonly config: Config, private readonly http: SourceHttp) {
    this.#galleryHosts = parseHostList(new URL(config.GALLERY_API_URL).host);
  }

  async get(listingUrl: string, fresh = false): Promise<Listing> {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (now - entry.at > MAX_AGE_MS) this.#delete(key);
    const cached = this.#entries.get(listingUrl);
    if (cached && !fresh) {
      this.#entries.delete(listingUrl);
      this.#entries.set(listingUrl, cached);
      return cached.listing;
    }
    this.#delete(listingUrl);
    const download = this.#fetch(listingUrl);
    const entry: Entry = { listing: download.then((d) => d.listing), at: now, bytes: null };
    this.#entries.set(listingUrl, entry);
    download.then(
      ({ bytes }) => this.#settled(listingUrl, entry, bytes),
      () => this.#entries.get(listingUrl) === entry && this.#delete(listingUrl),
    );
    return entry.listing;
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

  /**
   * Counts a fetched listing and drops the least recently used ones (fetches in flight stay) beyond the budget.
   * One larger than the whole budget is not kept at all, rather than pushing out all the others.
   */
  #settled(listingUrl: string, entry: Entry, bytes: number): void {
    if (this.#entries.get(listingUrl) !== entry) return; // replaced by a fresh fetch meanwhile
    if (bytes > this.config.LISTING_CACHE_BYTES) return void this.#entries.delete(listingUrl);
    entry.bytes = bytes;
    this.#bytes += bytes;
    for (const [key, other] of this.#entries) {
      if (this.#bytes <= this.config.LISTING_CACHE_BYTES) break;
      if (other.bytes !== null) this.#delete(key);
    }
  }

  #delete(listingUrl: string): void {
    const entry = this.#entries.get(listingUrl);
    if (!entry) return;
    this.#entries.delete(listingUrl);
    this.#bytes -= entry.bytes ?? 0;
  }

  async #fetch(listingUrl: string): Promise<{ listing: Listing; bytes: number }> {
    const res = await this.http.get(listingUrl, { allowlist: this.#galleryHosts, headers: { accept: 'application/json' } });
    if (res.statusCode !== 200) {
      res.discard();
      const err = sourceStatusError(res.statusCode, { name: 'gallery listing' });
      throw new TransferError(err.code.replace('source_', 'listing_'), err.message, err.retryable);
    }
    const max = this.config.LISTING_MAX_BYTES;
    const tooLarge = () => new TransferError('listing_too_large', `the gallery listing is larger than LISTING_MAX_BYTES (${max} bytes)`, false);
    if (Number(res.headers['content-length'] ?? 0) > max) {
      res.discard();
      throw tooLarge();
    }
    const parts: Buffer[] = [];
    let size = 0;
    for await (const piece of res.body()) {
      size += piece.length;
      if (size > max) throw tooLarge(); // leaving the loop cuts the download
      parts.push(piece);
    }
    try {
      return { listing: await parseListing(Buffer.concat(parts).toString('utf8'), this.config.SOURCE_URL_HOSTS), bytes: size };
    } catch (err) {
      if (err instanceof ListingError) throw new TransferError('listing_invalid', err.message, false);
      throw err;
    }
  }
}
