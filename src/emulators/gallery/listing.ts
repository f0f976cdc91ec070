import { posix } from 'node:path';
import { generatedFileCrc } from './crc';
import { crcHex } from './expected';

export interface GalleryFileSpec {
  id: number;
  /** Album path and file name, e.g. "Photos 1/Test_011.jpg". */
  name: string;
  size: number;
  /** Overrides the advertised CRC (8 hex digits) to simulate a mismatch. */
  crc?: string;
  /** Overrides the advertised URL (hostile tests). */
  url?: string;
  createdAt?: string;
}

export interface GallerySpec {
  /** Digits. */
  galleryId: string;
  /** 32 hex digits. */
  hash: string;
  files: GalleryFileSpec[];
  /** Served verbatim instead of the generated listing ("not JSON", huge listings...). */
  rawListing?: string | Buffer;
}

/** One entry exactly as LiteGallery's stream API returns it (same keys, same order). */
export interface ListingEntry {
  crc: string;
  filesize: number;
  created_at: string;
  name: string;
  url: string;
  id: number;
}

const DEFAULT_CREATED_AT = '2024-08-17 12:54:32 +0300';

function filePath(galleryId: string, file: GalleryFileSpec): string {
  return `/files/${galleryId}/${file.id}/${encodeURIComponent(posix.basename(file.name))}`;
}

/** Rejects specs the real gallery could never produce, so a test cannot build on an impossible fixture by accident. */
export function checkSpec(spec: GallerySpec): void {
  if (!/^\d+$/.test(spec.galleryId)) throw new Error(`galleryId must be digits, got '${spec.galleryId}'`);
  if (!/^[0-9a-f]{32}$/.test(spec.hash)) throw new Error(`hash must be 32 lowercase hex digits, got '${spec.hash}'`);
  const ids = new Set<number>();
  for (const file of spec.files) {
    if (!Number.isSafeInteger(file.id) || file.id <= 0 || ids.has(file.id)) throw new Error(`file ids must be unique positive integers (${file.id})`);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new Error(`file ${file.id}: size must be a non-negative integer`);
    if (!file.name) throw new Error(`file ${file.id}: name must not be empty`);
    ids.add(file.id);
  }
}

export function buildListing(spec: GallerySpec, origin: string, crcs: ReadonlyMap<number, string>): ListingEntry[] {
  return spec.files.map((file) => ({
    crc: file.crc ?? crcs.get(file.id)!,
    filesize: file.size,
    created_at: file.createdAt ?? DEFAULT_CREATED_AT,
    name: file.name,
    url: file.url ?? `${origin}${filePath(spec.galleryId, file)}`,
    id: file.id,
  }));
}

export function advertisedCrcs(spec: GallerySpec): Map<number, string> {
  return new Map(spec.files.map((file) => [file.id, crcHex(generatedFileCrc(file.id, file.size))]));
}
