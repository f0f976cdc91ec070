/** Response headers as the HTTP clients give them. */
export type Headers = Record<string, string | string[] | undefined>;

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. Shared by the providers' classifiers. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
