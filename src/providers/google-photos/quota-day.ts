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

/** Minutes after midnight before the first try: the quota's clock and ours need not agree to the second. */
export const RESET_MARGIN_MS = 5 * 60_000;

/** Pacific wall-clock time minus UTC at `ms` (−7 h or −8 h). */
function pacificOffsetMs(ms: number): number {
  const part = Object.fromEntries(PACIFIC.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The first midnight in America/Los_Angeles after `ms` (daylight saving included). */
export function nextPacificMidnight(ms: number): number {
  const offset = pacificOffsetMs(ms);
  const wall = new Date(ms + offset);
  const midnightWall = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate() + 1);
  // The offset at midnight may differ from now's (a daylight-saving change at 2 am today): ask again there.
  return midnightWall - pacificOffsetMs(midnightWall - offset);
}

/**
 * When a transfer stopped by the daily quota at `ms` should try again: a few minutes after the next Pacific midnight,
 * or, in those first minutes after one, at their end (not a whole day later).
 */
export function photosQuotaResumesAt(ms: number): string {
  return new Date(nextPacificMidnight(ms - RESET_MARGIN_MS) + RESET_MARGIN_MS).toISOString();
}
