/**
 * When Google Photos' project-wide daily quota comes back: "Quotas reset at midnight Pacific Time" (Google Cloud
 * console, Quotas). Pure; the classifier turns it into a daily cap's `resumesAt`, so the workflow only waits.
 */

const PACIFIC = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Google's quota day; GOOGLE_PHOTOS_QUOTA_DAY_SECONDS shortens it only in emulated setups. */
export const QUOTA_DAY_MS = 24 * 3600_000;

/** Minutes after midnight before the first try: the quota's clock and ours need not agree to the second. */
export const RESET_MARGIN_MS = 5 * 60_000;

/** Pacific wall-clock time minus UTC at `ms` (−7 h or −8 h). */
function pacificOffsetMs(ms: number): number {
  const part = Object.fromEntries(PACIFIC.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The first midnight in America/Los_Angeles after `ms` (daylight saving included). With a shorter quota day
 * (`dayMs` dividing 24 h), the first start of one after `ms`: days start at midnight and every `dayMs` after it.
 */
export function nextPacificMidnight(ms: number, dayMs = QUOTA_DAY_MS): number {
  const offset = pacificOffsetMs(ms);
  const nextWall = (Math.floor((ms + offset) / dayMs) + 1) * dayMs;
  // The offset at midnight may differ from now's (a daylight-saving change at 2 am today): ask again there.
  return nextWall - pacificOffsetMs(nextWall - offset);
}

/**
 * When a transfer stopped by the daily quota at `ms` should try again: a few minutes after the next Pacific midnight,
 * or, in those first minutes after one, at their end (not a whole day later). A shorter day keeps the same share of
 * it as margin.
 */
export function photosQuotaResumesAt(ms: number, dayMs = QUOTA_DAY_MS): string {
  const margin = Math.round((RESET_MARGIN_MS * dayMs) / QUOTA_DAY_MS);
  return new Date(nextPacificMidnight(ms - margin, dayMs) + margin).toISOString();
}
