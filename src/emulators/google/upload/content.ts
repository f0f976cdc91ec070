import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** What Drive keeps about a file's bytes: always size and checksums, the bytes only when small. */
export interface StoredContent {
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  /** CRC32 (IEEE) as 8 lowercase hex digits, as the gallery advertises it. */
  crc32: string;
  bytes?: Buffer;
}

/**
 * Incremental size + md5/sha1/sha256 of committed bytes, so a 400 MB upload never sits in memory.
 * fork() snapshots the hash state: a chunk is written into a fork and only becomes the committed
 * state once it arrived completely, which is how a cut-off chunk is "not committed".
 */
export class ContentAccumulator {
  private constructor(
    private readonly hashes: { md5: Hash; sha1: Hash; sha256: Hash },
    private crc: number,
    private bytesSeen: number,
    private kept: Buffer[] | undefined,
    private readonly keepLimit: number,
  ) {}

  static empty(keepLimit: number): ContentAccumulator {
    const hashes = { md5: createHash('md5'), sha1: createHash('sha1'), sha256: createHash('sha256') };
    return new ContentAccumulator(hashes, 0, 0, [], keepLimit);
  }

  static of(bytes: Buffer, keepLimit: number): ContentAccumulator {
    const content = ContentAccumulator.empty(keepLimit);
    content.write(bytes);
    return content;
  }

  get size(): number {
    return this.bytesSeen;
  }

  fork(): ContentAccumulator {
    const { md5, sha1, sha256 } = this.hashes;
    return new ContentAccumulator(
      { md5: md5.copy(), sha1: sha1.copy(), sha256: sha256.copy() },
      this.crc,
      this.bytesSeen,
      this.kept && [...this.kept],
      this.keepLimit,
    );
  }

  write(bytes: Buffer): void {
    this.hashes.md5.update(bytes);
    this.hashes.sha1.update(bytes);
    this.hashes.sha256.update(bytes);
    this.crc = crc32(bytes, this.crc);
    this.bytesSeen += bytes.length;
    if (this.kept && this.bytesSeen <= this.keepLimit) this.kept.push(Buffer.from(bytes));
    else this.kept = undefined;
  }

  /** Final checksums; `corrupt` stands for storage corruption: the checksums of different bytes. */
  finish(corrupt = false): StoredContent {
    const state = corrupt ? this.corrupted() : this;
    const { md5, sha1, sha256 } = state.hashes;
    return {
      size: this.bytesSeen,
      md5: md5.digest('hex'),
      sha1: sha1.digest('hex'),
      sha256: sha256.digest('hex'),
      crc32: state.crc.toString(16).padStart(8, '0'),
      bytes: this.kept && Buffer.concat(this.kept),
    };
  }

  private corrupted(): ContentAccumulator {
    const fork = this.fork();
    fork.write(Buffer.from('corrupted by the emulator'));
    return fork;
  }
}
