import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { byteRange } from './content';

export interface ExpectedFile {
  md5: string;
  sha256: string;
  /** CRC32 (IEEE) as 8 lowercase hex digits, as the listing advertises it. */
  crc32: string;
}

export const crcHex = (crc: number): string => crc.toString(16).padStart(8, '0');

/** What Drive must end up with for a gallery file: computed by streaming the same generator. */
export function expectedFile(id: number, size: number): ExpectedFile {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let crc = 0;
  for (const piece of byteRange(id, 0, size - 1)) {
    md5.update(piece);
    sha256.update(piece);
    crc = crc32(piece, crc);
  }
  return { md5: md5.digest('hex'), sha256: sha256.digest('hex'), crc32: crcHex(crc) };
}
