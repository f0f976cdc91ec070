import { Readable } from 'node:stream';

/**
 * Deterministic file bytes generated on the fly, so multi-GB gallery files cost no memory.
 * Block k of file `id` is one of 16 fixed pseudo-random 64 KiB segments XOR-ed with a 32-bit key
 * derived from (id, k): every file (and block) differs, and the structure keeps CRC32 of a whole
 * file computable without generating it (see crc.ts).
 */
export const BLOCK_SIZE = 64 * 1024;
const SEGMENT_COUNT = 16;

function makeSegments(): Buffer[] {
  let state = 0x9e3779b9;
  return Array.from({ length: SEGMENT_COUNT }, () => {
    const segment = Buffer.allocUnsafeSlow(BLOCK_SIZE);
    const words = new Uint32Array(segment.buffer, segment.byteOffset, BLOCK_SIZE / 4);
    for (let i = 0; i < words.length; i += 1) {
      // xorshift32
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    return segment;
  });
}

export const SEGMENTS: readonly Buffer[] = makeSegments();

/** murmur3's fmix32 over (id, block), both taken as 53-bit integers. */
export function blockKey(id: number, block: number): number {
  const high = (n: number): number => Math.floor(n / 2 ** 32) >>> 0;
  let h = Math.imul(id >>> 0, 0x9e3779b1) ^ Math.imul(high(id), 0x85ebca6b);
  h ^= Math.imul(block >>> 0, 0xc2b2ae35) ^ Math.imul(high(block), 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** segment[key mod 16] XOR the key repeated in every 32-bit word. */
export function patternBlock(segment: Buffer, key: number): Buffer {
  const block = Buffer.allocUnsafeSlow(BLOCK_SIZE);
  segment.copy(block);
  const words = new Uint32Array(block.buffer, block.byteOffset, BLOCK_SIZE / 4);
  for (let i = 0; i < words.length; i += 1) words[i]! ^= key;
  return block;
}

export function generateBlock(id: number, block: number): Buffer {
  const key = blockKey(id, block);
  return patternBlock(SEGMENTS[key % SEGMENT_COUNT]!, key);
}

/** Bytes start..end (inclusive) of file `id`, one block-sized piece at a time. */
export function* byteRange(id: number, start: number, end: number): Generator<Buffer> {
  let offset = start;
  while (offset <= end) {
    const block = Math.floor(offset / BLOCK_SIZE);
    const blockStart = block * BLOCK_SIZE;
    const to = Math.min(BLOCK_SIZE, end + 1 - blockStart);
    yield generateBlock(id, block).subarray(offset - blockStart, to);
    offset = blockStart + to;
  }
}

/** A Readable of the file's bytes (or a range of them); it generates only as fast as it is read. */
export function fileBytes(id: number, size: number, start = 0, end = size - 1): Readable {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end < size && start <= end + 1)) {
    throw new RangeError(`invalid range ${start}-${end} for a ${size}-byte file`);
  }
  return Readable.from(byteRange(id, start, end), { objectMode: false });
}
