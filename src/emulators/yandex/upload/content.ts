import { createHash, type Hash } from 'node:crypto';

/** What the Disk keeps about a file's bytes: always size and checksums, the bytes only when small. */
export interface StoredContent {
  size: number;
  md5: string;
  sha256: string;
  bytes?: Buffer;
}

/** Incremental size + md5/sha256 of a body as it streams in, so a big upload never sits in memory. */
export class ContentAccumulator {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private kept: Buffer[] | undefined = [];
  size = 0;

  constructor(private readonly keepLimit: number) {}

  write(bytes: Buffer): void {
    this.md5.update(bytes);
    this.sha256.update(bytes);
    this.size += bytes.length;
    if (this.kept && this.size <= this.keepLimit) this.kept.push(Buffer.from(bytes));
    else this.kept = undefined;
  }

  finish(): StoredContent {
    return {
      size: this.size,
      md5: this.md5.digest('hex'),
      sha256: this.sha256.digest('hex'),
      bytes: this.kept && Buffer.concat(this.kept),
    };
  }
}
