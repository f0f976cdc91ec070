import { createCRC32, createMD5, IHasher } from 'hash-wasm';
import type { HostRule } from '../shared/hosts';
import { TransferError } from '../shared/errors';
import type { FileEntry } from './listing';
import type { SourceHttp } from './http';

/**
 * Reading one photo from the gallery as a stream of buffers, from any offset, and hashing what was read.
 * The hash states can be saved and restored, so an upload resumed by another worker can finish the CRC32
 * (checked against the listing) and the MD5 (checked against Drive's md5Checksum) without re-reading the start.
 */

export class Hashes {
  private constructor(private readonly crc: IHasher, private readonly md5: IHasher, public offset: number) {}

  static async create(saved?: SavedHashes): Promise<Hashes> {
    const [crc, md5] = await Promise.all([createCRC32(), createMD5()]);
    if (saved) {
      crc.load(Buffer.from(saved.crc, 'base64'));
      md5.load(Buffer.from(saved.md5, 'base64'));
      return new Hashes(crc, md5, saved.offset);
    }
    crc.init();
    md5.init();
    return new Hashes(crc, md5, 0);
  }

  update(chunk: Uint8Array): void {
    this.crc.update(chunk);
    this.md5.update(chunk);
    this.offset += chunk.length;
  }

  save(): SavedHashes {
    return { offset: this.offset, crc: Buffer.from(this.crc.save()).toString('base64'), md5: Buffer.from(this.md5.save()).toString('base64') };
  }

  /** Finishes both hashes; the object cannot be used afterwards. */
  digest(): { crc: string; md5: string } {
    return { crc: this.crc.digest('hex'), md5: this.md5.digest('hex') };
  }
}

export interface SavedHashes {
  offset: number;
  crc: string;
  md5: string;
}

/** Classifies a gallery HTTP status into the shared retry vocabulary. */
export function sourceStatusError(status: number, file: Pick<FileEntry, 'name'>): TransferError {
  if (status === 404 || status === 410) return new TransferError('source_not_found', `the gallery has no file "${file.name}" (HTTP ${status})`, false);
  if (status === 401 || status === 403) return new TransferError('source_forbidden', `the gallery refused "${file.name}" (HTTP ${status})`, false);
  if (status === 429 || status >= 500 || status === 408) return new TransferError('source_unavailable', `the gallery answered HTTP ${status} for "${file.name}"`, true);
  return new TransferError('source_http_error', `the gallery answered HTTP ${status} for "${file.name}"`, false);
}

/**
 * Yields the photo's bytes from `offset` to its end. Asks for the rest with a Range request; a server that
 * ignores Range (200) is tolerated by skipping the bytes we already have.
 */
export async function* readSource(
  http: SourceHttp,
  allowlist: readonly HostRule[],
  file: Pick<FileEntry, 'url' | 'size' | 'name'>,
  offset: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  if (offset >= file.size) return;
  const res = await http.get(file.url, { allowlist, signal, headers: offset > 0 ? { range: `bytes=${offset}-` } : {} });
  if (res.statusCode !== 200 && res.statusCode !== 206) {
    res.discard();
    throw sourceStatusError(res.statusCode, file);
  }
  let skip = 0;
  if (res.statusCode === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== offset) {
      res.discard();
      throw new TransferError('source_bad_range', `the gallery answered a Range request for "${file.name}" with the wrong range`, true);
    }
  } else {
    skip = offset;
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(length) && length !== file.size - offset + skip) {
    res.discard();
    throw new TransferError('source_size_mismatch', `the gallery sends ${length + offset - skip} bytes for "${file.name}", the listing says ${file.size}`, true);
  }
  let received = offset;
  try {
    for await (const piece of res.body()) {
      let chunk = piece;
      if (skip > 0) {
        const dropped = Math.min(skip, chunk.length);
        skip -= dropped;
        chunk = chunk.subarray(dropped);
        if (chunk.length === 0) continue;
      }
      received += chunk.length;
      if (received > file.size) {
        throw new TransferError('source_size_mismatch', `the gallery sent more than the ${file.size} bytes listed for "${file.name}"`, true);
      }
      yield chunk;
    }
  } catch (err) {
    if (err instanceof TransferError || signal?.aborted) throw err;
    throw new TransferError('source_interrupted', `download of "${file.name}" broke off at byte ${received}: ${(err as Error).message}`, true);
  }
  if (received !== file.size) {
    throw new TransferError('source_size_mismatch', `the gallery sent ${received} of the ${file.size} bytes listed for "${file.name}"`, true);
  }
}

/** Throws when the bytes read do not match the listing's CRC32. */
export function checkCrc(file: Pick<FileEntry, 'crc' | 'name'>, actualCrc: string): void {
  if (actualCrc !== file.crc) {
    throw new TransferError('source_crc_mismatch', `"${file.name}" does not match its CRC32 in the listing (expected ${file.crc}, read ${actualCrc})`, true);
  }
}
