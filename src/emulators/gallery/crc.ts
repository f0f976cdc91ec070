import { crc32 } from 'node:zlib';
import { BLOCK_SIZE, blockKey, generateBlock, patternBlock, SEGMENTS } from './content';

// GF(2) polynomial arithmetic from zlib's crc32.c (multmodp, x2nmodp), used for crc32_combine:
// crc(A‖B) = multmodp(x^(8·len(B)) mod P, crc(A)) ⊕ crc(B).
const POLY = 0xedb88320;

function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  let x = b;
  for (;;) {
    if (a & m) {
      p ^= x;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    x = x & 1 ? (x >>> 1) ^ POLY : x >>> 1;
  }
  return p >>> 0;
}

const X2N_TABLE = (() => {
  const table: number[] = [];
  let p = 1 << 30; // x^1
  for (let n = 0; n < 32; n += 1) {
    table.push(p);
    p = multmodp(p, p);
  }
  return table;
})();

/** x^(n·2^k) mod P. */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000; // x^0
  let rest = n;
  let index = k;
  while (rest > 0) {
    if (rest % 2 === 1) p = multmodp(X2N_TABLE[index & 31]!, p);
    rest = Math.floor(rest / 2);
    index += 1;
  }
  return p;
}

function combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA) ^ crcB) >>> 0;
}

// CRC over messages of one fixed length is affine: crc(x ⊕ y) = crc(x) ⊕ crc(y) ⊕ crc(0).
// A block is segment ⊕ (key in every word) = segment ⊕ ⨁ over key bits j of (2^j in every word),
// so crc(block) = crc(segment) ⊕ ⨁_j (crc(bit pattern j) ⊕ crc(0)).
const ZERO_CRC = crc32(Buffer.alloc(BLOCK_SIZE));
const SEGMENT_CRCS = SEGMENTS.map((segment) => crc32(segment));
const BIT_TERMS = Array.from({ length: 32 }, (_, j) => (crc32(patternBlock(Buffer.alloc(BLOCK_SIZE), (1 << j) >>> 0)) ^ ZERO_CRC) >>> 0);
const SHIFT_ONE_BLOCK = x2nmodp(BLOCK_SIZE, 3);

function blockCrc(key: number): number {
  let crc = SEGMENT_CRCS[key % SEGMENTS.length]!;
  for (let j = 0; j < 32; j += 1) if ((key >>> j) & 1) crc ^= BIT_TERMS[j]!;
  return crc >>> 0;
}

/** CRC32 (IEEE, zlib's) of a generated file in O(blocks) without generating full blocks. */
export function generatedFileCrc(id: number, size: number): number {
  const fullBlocks = Math.floor(size / BLOCK_SIZE);
  let crc = 0;
  for (let block = 0; block < fullBlocks; block += 1) {
    crc = (multmodp(SHIFT_ONE_BLOCK, crc) ^ blockCrc(blockKey(id, block))) >>> 0;
  }
  const tail = size - fullBlocks * BLOCK_SIZE;
  return tail === 0 ? crc : combine(crc, crc32(generateBlock(id, fullBlocks).subarray(0, tail)), tail);
}
