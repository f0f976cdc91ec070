import type { FailedFile } from './ledger';

/**
 * Failed photos beyond those listed in full: columns of plan indices, a kind (code and reason, from a small table)
 * and the reserved target, so every one stays retryable while the state a continue-as-new carries stays small
 * (no names: the listing has them). Pure.
 */
export interface CompactFailures {
  /** [code, reason] pairs the `kind` column points into. */
  kinds: Array<[string, string]>;
  index: number[];
  kind: number[];
  /** The reserved target; '' when there is none (a retry reserves a fresh one). */
  target: string[];
}

/** Distinct reasons kept; beyond, a failure takes the first reason of its code (the code itself is never lost). */
const MAX_KINDS = 100;
/**
 * Reserved targets kept (~40 bytes each, the bulk of the carried state): 20,000 keep a continue-as-new well under
 * Temporal's 2 MB payload limit. Failures beyond keep index and kind only; their retry reserves fresh ids.
 */
const MAX_TARGETS_KEPT = 20_000;

export function emptyCompact(): CompactFailures {
  return { kinds: [], index: [], kind: [], target: [] };
}

export function addCompact(book: CompactFailures, f: FailedFile & { index: number }): void {
  let kind = book.kinds.findIndex(([code, reason]) => code === f.code && reason === f.reason);
  if (kind < 0 && book.kinds.length >= MAX_KINDS) kind = book.kinds.findIndex(([code]) => code === f.code);
  if (kind < 0) kind = book.kinds.push([f.code, f.reason]) - 1;
  book.index.push(f.index);
  book.kind.push(kind);
  book.target.push(book.index.length <= MAX_TARGETS_KEPT ? (f.target ?? '') : '');
}

/** The compact failures from `from` on, at most `limit`, as listed failures (named by their position in the plan). */
export function expandCompact(book: CompactFailures, from = 0, limit = book.index.length): FailedFile[] {
  return book.index.slice(from, from + limit).map((index, i) => {
    const [code, reason] = book.kinds[book.kind[from + i]!]!;
    const target = book.target[from + i];
    return { index, name: `(photo ${index + 1} of the listing)`, code, reason, ...(target ? { target } : {}) };
  });
}
