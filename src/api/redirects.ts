import type { Response } from 'express';

/**
 * The link with `params` added to its query. The link's own query is kept byte for byte — repeated keys, `+`,
 * percent-escapes, parameters without `=` — and so is its fragment: the gallery may read its query with any
 * parser. Only a parameter of the same name as one we add is dropped, so the page reads ours, once.
 */
export function withQuery(link: string, params: Record<string, string>): string {
  const hashAt = link.indexOf('#');
  const beforeHash = hashAt < 0 ? link : link.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : link.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt < 0 ? beforeHash : beforeHash.slice(0, queryAt);
  const query = queryAt < 0 ? '' : beforeHash.slice(queryAt + 1);
  const ours = new Set(Object.keys(params));
  const kept = query === '' ? [] : query.split('&').filter((pair) => !ours.has(nameOf(pair)));
  return `${base}?${[...kept, new URLSearchParams(params).toString()].join('&')}${fragment}`;
}

/** A query pair's name as URLSearchParams (and so the page's script) reads it: `+` is a space, escapes decoded. */
function nameOf(pair: string): string {
  return new URLSearchParams(pair).keys().next().value ?? '';
}

/**
 * A 302 to `location` exactly as given. Express's res.redirect re-encodes it (a `%zz` in the gallery's query would
 * become `%25zz`); our links are `URL.href` forms plus withQuery, so they are ASCII and hold no CR or LF.
 */
export function redirectTo(res: Response, location: string): void {
  res.status(302).set('location', location).end();
}
