import type { FileEntry } from '../source/listing';
import { checkCrc, Hashes } from '../source/reader';

/**
 * The read side of a resumable upload, shared by the destinations that have one (Drive, Photos): the source from
 * where the hashes stand, bytes the destination already holds hashed but not sent, the rest in chunks of one
 * reused buffer (memory stays flat whatever the file size). A full buffer is sent only when more bytes follow: the
 * last bytes are held back and returned, so the caller checks the CRC32 before it lets them — and the file —
 * complete.
 */
export async function sendAllButLast(opts: {
  read(offset: number): AsyncIterable<Buffer>;
  hashes: Hashes;
  /** Bytes the destination holds already. */
  committed: number;
  size: number;
  chunkBytes: number;
  /** Sends one chunk at `start`; resolves once the destination holds all of it. */
  send(chunk: Buffer, start: number): Promise<void>;
  /** Called when the hashes and the destination agree again (progress worth saving). */
  checkpoint(): void;
}): Promise<{ last: Buffer; digest: { crc: string; md5: string } }> {
  const h = opts.hashes;
  let committed = opts.committed;
  const buffer = Buffer.allocUnsafe(Math.min(opts.chunkBytes, opts.size - committed));
  let filled = 0;
  for await (const piece of opts.read(h.offset)) {
    let data = piece;
    if (h.offset < committed) {
      // The destination already has these bytes: hash them, don't send them.
      const skip = Math.min(data.length, committed - h.offset);
      h.update(data.subarray(0, skip));
      data = data.subarray(skip);
      if (h.offset === committed) opts.checkpoint();
    }
    while (data.length > 0) {
      if (filled === buffer.length) {
        h.update(buffer);
        await opts.send(buffer, committed);
        committed += buffer.length;
        filled = 0;
        opts.checkpoint();
      }
      const n = data.copy(buffer, filled);
      filled += n;
      data = data.subarray(n);
    }
  }
  const last = buffer.subarray(0, filled);
  h.update(last);
  return { last, digest: h.digest() };
}

/**
 * A small file whole, for a one-request upload: read, hashed, and its size and CRC32 checked against the listing
 * before a byte is sent, so nothing unchecked lands.
 */
export async function readWhole(file: FileEntry, read: (offset: number) => AsyncIterable<Buffer>): Promise<{ body: Buffer; digest: { crc: string; md5: string } }> {
  const hashes = await Hashes.create();
  const parts: Buffer[] = [];
  for await (const piece of read(0)) {
    hashes.update(piece);
    parts.push(piece);
  }
  const digest = hashes.digest();
  checkCrc(file, digest.crc);
  return { body: Buffer.concat(parts), digest };
}
