import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HostRule, isHostAllowed } from '../shared/hosts';
import { NameDeduper, toDestinationPath } from '../shared/names';
import { preorderFolders } from './folder-tree';

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
  /** That folder's position in `Listing.folders` (its creation order); -1 for the gallery folder. */
  folderIndex: number;
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
  /** Every folder path in creation order: pre-order, siblings by first use (see folder-tree.ts). */
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

/** Entries handled between two yields to the event loop: planning never holds it for long (heartbeats, /healthz). */
const ENTRIES_PER_SLICE = 2000;

/** A valid entry of the listing before its file name is made unique. */
interface Accepted {
  sourceId: number;
  folders: string[];
  fileName: string;
  url: string;
  size: number;
  crc: string;
}

/**
 * The listing is a JSON array of entries; an object with a `files` array is accepted too. Async only to yield
 * to the event loop every few thousand entries: the result is the same for the same bytes.
 */
export async function parseListing(body: string, sourceHosts: readonly HostRule[]): Promise<Listing> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ListingError('the gallery listing is not valid JSON');
  }
  const raw = Array.isArray(json) ? json : (json as { files?: unknown })?.files;
  if (!Array.isArray(raw)) throw new ListingError('the gallery listing is not a JSON array of files');

  const accepted: Accepted[] = [];
  const rejected: RejectedEntry[] = [];
  const seen = new Set<string>();
  for (let position = 0; position < raw.length; position++) {
    if (position % ENTRIES_PER_SLICE === ENTRIES_PER_SLICE - 1) await yieldToEventLoop();
    const result = acceptEntry(raw[position], sourceHosts);
    if ('reason' in result) {
      rejected.push({ position, ...result });
      continue;
    }
    const key = `${result.sourceId}\u0000${result.folders.join('/')}\u0000${result.fileName}`;
    if (seen.has(key)) continue; // the same photo listed twice at the same place: copy it once
    seen.add(key);
    accepted.push(result);
  }
  const folders = preorderFolders(accepted.map((a) => a.folders));
  const files = await nameFiles(accepted, folders);
  return { files, folders, rejected, bytesTotal: files.reduce((sum, f) => sum + f.size, 0), fingerprint: fingerprintOf(files) };
}

/** One listing entry checked: where it goes and where it comes from, or why it can never be copied. */
function acceptEntry(item: unknown, sourceHosts: readonly HostRule[]): Accepted | Omit<RejectedEntry, 'position'> {
  const parsed = entrySchema.safeParse(item);
  const rawName = typeof (item as { name?: unknown })?.name === 'string' ? String((item as { name: string }).name) : '';
  const reject = (reason: string, sourceId: number | null) => ({ sourceId, name: rawName.slice(0, 300), reason });
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
  const crc = entry.crc.toLowerCase().padStart(8, '0');
  return { sourceId: entry.id, folders: path.folders, fileName: path.fileName, url: url.toString(), size: entry.filesize, crc };
}

/**
 * Final file names. Albums keep their names and photos give way: a photo named like an album of the same
 * folder becomes "A (2)", so no destination ever meets a file where a folder is (or the other way round).
 */
async function nameFiles(accepted: Accepted[], folders: string[]): Promise<FileEntry[]> {
  const names = new NameDeduper();
  for (const path of folders) {
    const cut = path.lastIndexOf('/');
    names.reserve(cut < 0 ? '' : path.slice(0, cut), path.slice(cut + 1));
  }
  const folderIndex = new Map(folders.map((path, i) => [path, i]));
  const files: FileEntry[] = [];
  for (const a of accepted) {
    if (files.length % ENTRIES_PER_SLICE === ENTRIES_PER_SLICE - 1) await yieldToEventLoop();
    const folder = a.folders.join('/');
    const name = names.unique(folder, a.fileName);
    files.push({ index: files.length, sourceId: a.sourceId, folder, folderIndex: folderIndex.get(folder) ?? -1, name, url: a.url, size: a.size, crc: a.crc });
  }
  return files;
}

function fingerprintOf(files: FileEntry[]): string {
  const hash = createHash('sha256');
  // Same bytes as hashing one JSON array of [sourceId, folder, name, url, size, crc] rows, built row by row.
  hash.update('[');
  files.forEach((f, i) => hash.update((i > 0 ? ',' : '') + JSON.stringify([f.sourceId, f.folder, f.name, f.url, f.size, f.crc])));
  return hash.update(']').digest('hex');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
