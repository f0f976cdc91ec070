/**
 * A set of listing indices as a compact string, for the photos a save-again finds already at the destination.
 * Six indices per character (a base64 alphabet, bit `i % 6` of character `i / 6`): 100,000 photos take 16.7 KB,
 * small enough for a workflow payload, and it is read one index at a time without decoding it whole (the workflow
 * sandbox has no Buffer). Pure: used by the activity that builds it and by the workflow that reads it.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));
const BITS = 6;

/** The set of `indices` (each in 0 … size − 1) as a string of ceil(size / 6) characters. */
export function encodeSkipSet(indices: Iterable<number>, size: number): string {
  const words = new Array<number>(Math.ceil(size / BITS)).fill(0);
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= size) throw new RangeError(`index ${i} is outside 0…${size - 1}`);
    words[Math.floor(i / BITS)]! |= 1 << i % BITS;
  }
  return words.map((w) => ALPHABET[w]).join('');
}

/** Whether `index` is in the set; indices beyond its end are not. */
export function inSkipSet(set: string, index: number): boolean {
  const char = set[Math.floor(index / BITS)];
  if (char === undefined) return false;
  const word = VALUE.get(char);
  if (word === undefined) throw new Error(`not a skip set: '${char}'`);
  return ((word >> index % BITS) & 1) === 1;
}

/** Photo identity for save-again: the gallery's photo id and the CRC32 of its bytes (8 lower-case hex digits). */
export function photoKey(sourceId: number, crc: string): string {
  return `${sourceId}:${crc.toLowerCase().padStart(8, '0')}`;
}
