import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HostRule, isHostAllowed } from '../shared/hosts';
import { NameDeduper, toDestinationPath } from '../shared/names';

/**
 * The gallery listing (SPEC §2) turned into the plan of a transfer: which folders to create and which files to
 * copy where. Pure: the same bytes always give the same plan (same order, same names), which is what lets any
 * worker rebuild a page of it after a crash.
 */

/** One photo to copy. `index` is its position in the plan and the key for everything per-file. */
export interface FileEntry {
  index: number;
  sourceId: number;
  /** Album folder path below the gallery folder ("" for the gallery folder itself), segments joined by "/". */
  folder: string;
  /** Final file name inside that folder, after cleaning and de-duplication. */
  name: string;
  url: string;
  size: number;
  /** CRC32 of the photo as 8 lower-case hex digits. */
  crc: string;
}

export interface RejectedEntry {
  position: number;
  sourceId: number | null;
  name: string;
  reason: string;
}

export interface Listing {
  files: FileEntry[];
  /** Every folder path, parents before children. */
  folders: string[];
  rejected: RejectedEntry[];
  bytesTotal: number;
  /** sha256 over the plan; a listing that changes mid-transfer is detected, not silently mixed. */
  fingerprint: string;
}

const MAX_FILE_BYTES = 5 * 1024 ** 4; // Drive's per-file maximum (5 TB)

const entrySchema = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  name: z.string().min(1).max(10_000),
  url: z.string().min(1).max(4096),
  filesize: z.number().int().min(0).max(MAX_FILE_BYTES),
  crc: z.string().regex(/^[0-9a-fA-F]{1,8}$/, 'must be a CRC32 in hex'),
  created_at: z.string().optional(),
});

export class ListingError extends Error {
  override name = 'ListingError';
}

/** The listing is a JSON array of entries; an object with a `files` array is accepted too. */
export function parseListing(body: string, sourceHosts: readonly HostRule[]): Listing {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ListingError('the gallery listing is not valid JSON');
  }
  const raw = Array.isArray(json) ? json : (json as { files?: unknown })?.files;
  if (!Array.isArray(raw)) throw new ListingError('the gallery listing is not a JSON array of files');

  const files: FileEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const folders = new Set<string>();
  const seen = new Set<string>();
  const names = new NameDeduper();
  let bytesTotal = 0;

  raw.forEach((item: unknown, position) => {
    const parsed = entrySchema.safeParse(item);
    const rawName = typeof (item as { name?: unknown })?.name === 'string' ? String((item as { name: string }).name) : '';
    const reject = (reason: string, sourceId: number | null = null) =>
      rejected.push({ position, sourceId, name: rawName.slice(0, 300), reason });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reject(`field "${issue.path.join('.') || 'entry'}" ${issue.message.toLowerCase()}`, (item as { id?: number })?.id ?? null);
    }
    const entry = parsed.data;
    let url: URL;
    try {
      url = new URL(entry.url);
    } catch {
      return reject('url is not a valid URL', entry.id);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return reject(`url scheme ${url.protocol} is not allowed`, entry.id);
    if (!isHostAllowed(url, sourceHosts)) return reject(`url host ${url.host} is not on SOURCE_URL_HOSTS`, entry.id);
    const path = toDestinationPath(entry.name);
    if (!path.ok) return reject(path.reason, entry.id);

    const folder = path.folders.join('/');
    const key = `${entry.id}\u0000${folder}\u0000${path.fileName}`;
    if (seen.has(key)) return; // the same photo listed twice at the same place: copy it once
    seen.add(key);
    for (let depth = 1; depth <= path.folders.length; depth++) folders.add(path.folders.slice(0, depth).join('/'));

    files.push({
      index: files.length,
      sourceId: entry.id,
      folder,
      name: names.unique(folder, path.fileName),
      url: url.toString(),
      size: entry.filesize,
      crc: entry.crc.toLowerCase().padStart(8, '0'),
    });
    bytesTotal += entry.filesize;
  });

  const sortedFolders = [...folders].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(files.map((f) => [f.sourceId, f.folder, f.name, f.url, f.size, f.crc])))
    .digest('hex');
  return { files, folders: sortedFolders, rejected, bytesTotal, fingerprint };
}
