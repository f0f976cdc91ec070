import { createHash, type Hash } from 'node:crypto';
import type { StorageDamage } from '../faults';

/** What the Disk keeps about a file's bytes: always size and checksums, the bytes only when small. */
export interface StoredContent {
  size: number;
  md5: string;
  sha256: string;
  bytes?: Buffer;
}

/**
 * Incremental size + md5/sha256 of a body as it streams in, so a big upload never sits in memory. With `damage`
 * it stores something other than what arrives (an injected fault): one byte flipped, or the last byte lost.
 */
export class ContentAccumulator {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private kept: Buffer[] | undefined = [];
  /** truncateStored: the last byte seen so far, stored only once another byte follows it. */
  private held: Buffer | undefined;
  size = 0;

  constructor(
    private readonly keepLimit: number,
    private readonly damage?: StorageDamage,
  ) {}

  write(bytes: Buffer): void {
    if (bytes.length === 0) return;
    let stored = bytes;
    if (this.damage === 'corruptStored' && this.size === 0) {
      stored = Buffer.from(bytes);
      stored[0] = stored[0]! ^ 0xff;
    } else if (this.damage === 'truncateStored') {
      stored = this.held ? Buffer.concat([this.held, bytes.subarray(0, -1)]) : bytes.subarray(0, -1);
      this.held = Buffer.from(bytes.subarray(-1));
    }
    this.store(stored);
  }

  finish(): StoredContent {
    return {
      size: this.size,
      md5: this.md5.digest('hex'),
      sha256: this.sha256.digest('hex'),
      bytes: this.kept && Buffer.concat(this.kept),
    };
  }

  private store(bytes: Buffer): void {
    this.md5.update(bytes);
    this.sha256.update(bytes);
    this.size += bytes.length;
    if (this.kept && this.size <= this.keepLimit) this.kept.push(Buffer.from(bytes));
    else this.kept = undefined;
  }
}
