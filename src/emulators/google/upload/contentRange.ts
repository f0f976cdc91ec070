// Content-Range of a resumable upload request:
//   `bytes */TOTAL` or `bytes */*`      status query (empty body)
//   `bytes A-B/TOTAL` or `bytes A-B/*`  a chunk; `*` while the total size is still unknown
export type ContentRange =
  | { kind: 'query'; total?: number }
  | { kind: 'chunk'; start: number; end: number; total?: number };

export class ContentRangeError extends Error {}

const PATTERN = /^bytes (?:\*|(\d+)-(\d+))\/(\*|\d+)$/;

export function parseContentRange(header: string): ContentRange {
  const match = PATTERN.exec(header.trim());
  if (!match) throw new ContentRangeError(`Malformed Content-Range: '${header}'`);
  const [, startText, endText, totalText] = match;
  const total = totalText === '*' ? undefined : Number(totalText);
  if (startText === undefined || endText === undefined) return { kind: 'query', total };
  const start = Number(startText);
  const end = Number(endText);
  if (end < start) throw new ContentRangeError(`Content-Range end ${end} is before start ${start}`);
  if (total !== undefined && end >= total) throw new ContentRangeError(`Content-Range end ${end} is beyond total ${total}`);
  return { kind: 'chunk', start, end, total };
}
