import { z } from 'zod';

/**
 * `CORS_ORIGINS`: the gallery origins whose pages may call the API from the browser: `POST /cloud_archive`, and
 * follow a transfer (`GET /cloud_archive/transfers/{id}` and its `/events`).
 * An entry is `scheme://host[:port]` or `scheme://*.domain[:port]` (any subdomain of domain, at any depth, not
 * domain itself). Scheme and port are part of an origin: `https://*.lite.gallery` allows neither
 * `http://x.lite.gallery` nor `https://x.lite.gallery:8443`.
 */

export interface OriginRule {
  scheme: 'http' | 'https';
  host: string; // lower-case; for wildcards the suffix without "*."
  wildcard: boolean;
  port: number;
}

const ENTRY_RE = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\])(?::(\d{1,5}))?$/;

const DEFAULT_PORTS = { http: 80, https: 443 } as const;

export function parseOriginList(value: string): OriginRule[] {
  const entries = value
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one origin');
  return entries.map(parseEntry);
}

function parseEntry(entry: string): OriginRule {
  // Browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and we cannot know the page's mode.
  if (entry === '*' || entry === 'null') throw new Error(`"${entry}" is not allowed: list the gallery origins`);
  const m = ENTRY_RE.exec(entry);
  if (!m) {
    const hint = /^https?:\/\/[^/]+\/./.test(entry) || entry.endsWith('/') ? ' without a path' : '';
    throw new Error(`"${entry}" is not an origin (scheme://host[:port] or scheme://*.domain[:port]${hint})`);
  }
  const scheme = m[1] as OriginRule['scheme'];
  const port = m[4] ? Number(m[4]) : DEFAULT_PORTS[scheme];
  if (port < 1 || port > 65535) throw new Error(`"${entry}" has an invalid port`);
  return { scheme, host: m[3]!, wildcard: Boolean(m[2]), port };
}

/** True when the `Origin` header names an origin on the list. `null` and anything malformed are never allowed. */
export function isOriginAllowed(origin: string | undefined, rules: readonly OriginRule[]): boolean {
  if (!origin || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  // An Origin header is a serialised origin: anything more (path, user info) is not one.
  if (url.origin !== origin.toLowerCase()) return false;
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') return false;
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[scheme];
  const host = url.hostname;
  return rules.some(
    (rule) =>
      rule.scheme === scheme && rule.port === port && (rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host),
  );
}

export function formatOriginList(rules: readonly OriginRule[]): string {
  return rules
    .map((r) => `${r.scheme}://${r.wildcard ? '*.' : ''}${r.host}${r.port === DEFAULT_PORTS[r.scheme] ? '' : `:${r.port}`}`)
    .join(',');
}

/** The configuration field; a bad entry stops start-up with a message naming it. */
export const originListSetting = z.string().transform((value, ctx) => {
  try {
    return parseOriginList(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});
