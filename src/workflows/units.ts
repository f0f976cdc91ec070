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
  folderIds: Record<string, string>,
  opts: { filesPerActivity: number; multipartMaxBytes: number },
): UnitFile[][] {
  const units: UnitFile[][] = [];
  let small: UnitFile[] = [];
  let smallBytes = 0;
  entries.forEach((entry, i) => {
    const file: UnitFile = { ...entry, target: targets[i]!, parentId: folderIds[entry.folder]! };
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
