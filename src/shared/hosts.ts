/**
 * Host allowlists (`ARCHIVE_URL_HOSTS`, `SOURCE_URL_HOSTS`, `REDIRECT_URL_HOSTS`).
 * An entry is `host`, `host:port`, or `*.domain` (any subdomain of domain, not domain itself).
 * An entry without a port matches the scheme's default port only: `example.com` does not allow `example.com:8443`.
 */

export interface HostRule {
  host: string; // lower-case, no trailing dot; for wildcards the suffix without "*."
  wildcard: boolean;
  port: number | null;
}

const HOST_RE = /^(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])(:(\d{1,5}))?$/;

export function parseHostList(value: string): HostRule[] {
  const entries = value
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one host');
  return entries.map((entry) => {
    const m = HOST_RE.exec(entry);
    if (!m) throw new Error(`"${entry}" is not a host or host:port`);
    const port = m[6] ? Number(m[6]) : null;
    if (port !== null && (port < 1 || port > 65535)) throw new Error(`"${entry}" has an invalid port`);
    return { host: m[2]!, wildcard: Boolean(m[1]), port };
  });
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** True when the URL's host and effective port are on the list. */
export function isHostAllowed(url: URL, rules: readonly HostRule[]): boolean {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  return rules.some((rule) => {
    const hostMatches = rule.wildcard ? host.endsWith(`.${rule.host}`) : host === rule.host;
    const portMatches = rule.port === null ? port === defaultPort(url.protocol) : port === rule.port;
    return hostMatches && portMatches;
  });
}

export function formatHostList(rules: readonly HostRule[]): string {
  return rules.map((r) => `${r.wildcard ? '*.' : ''}${r.host}${r.port ? `:${r.port}` : ''}`).join(',');
}
