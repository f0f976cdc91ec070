import { invalidArgument } from './errors';

/** Opaque page tokens bound to the listing they came from, so a token cannot be replayed against another album. */
export function encodePageToken(key: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: key, o: offset })).toString('base64url');
}

export function decodePageToken(token: string | undefined, key: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const { k, o } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; o?: unknown };
    if (k === key && typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // Falls through to the same answer as a well-formed token for another listing.
  }
  throw invalidArgument('Invalid page token.');
}

/** One page of `all` and the token for the next (absent on the last page, as Google omits it). */
export function page<T>(all: T[], key: string, token: string | undefined, size: number): { items: T[]; nextPageToken?: string } {
  const offset = decodePageToken(token, key);
  const items = all.slice(offset, offset + size);
  return offset + size < all.length ? { items, nextPageToken: encodePageToken(key, offset + size) } : { items };
}
