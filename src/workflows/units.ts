import type { UnitFile } from '../activities/types';
import type { FileEntry } from '../source/listing';

/** Most bytes grouped into one multi-file activity; keeps one unit's work short and its retry cheap. */
const MAX_UNIT_BYTES = 32 * 1024 * 1024;

/**
 * Groups a page of files into activity units: each large file alone (its activity heartbeats an upload
 * session), small files together up to `filesPerActivity`, so per-file Temporal overhead stays small.
 * Pure and deterministic: it runs inside the workflow.
 */
export function makeUnits(
  entries: FileEntry[],
  targets: string[],
  parentOf: (folderIndex: number) => string,
  opts: { filesPerActivity: number; multipartMaxBytes: number },
): UnitFile[][] {
  const units: UnitFile[][] = [];
  let small: UnitFile[] = [];
  let smallBytes = 0;
  entries.forEach((entry, i) => {
    const file: UnitFile = { ...entry, target: targets[i]!, parentId: parentOf(entry.folderIndex) };
    if (entry.size > opts.multipartMaxBytes) {
      units.push([file]);
      return;
    }
    if (small.length >= opts.filesPerActivity || smallBytes + entry.size > MAX_UNIT_BYTES) {
      units.push(small);
      small = [];
      smallBytes = 0;
    }
    small.push(file);
    smallBytes += entry.size;
  });
  if (small.length > 0) units.push(small);
  return units;
}

/**
 * How many album folders (in creation order) must exist before these files can be copied: folders are made in
 * order, so all up to the highest one they use. A listing that goes album by album needs few beyond a page's own.
 */
export function foldersNeeded(entries: readonly FileEntry[]): number {
  return entries.reduce((most, e) => Math.max(most, e.folderIndex + 1), 0);
}
