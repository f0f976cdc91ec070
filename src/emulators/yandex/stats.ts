import type { OpKind } from './faults';

export class YandexStats {
  readonly requests: Partial<Record<OpKind, number>> = {};
  writes = 0;
  rateLimited = 0;
  unauthorized = 0;
  tokenRefreshes = 0;
  /** PUT bodies received on upload hrefs, cut-off ones included. */
  bytesUploaded = 0;
  /** Bytes the emulator itself downloaded for "upload by URL". */
  bytesFetched = 0;
  uploadsByUrl = 0;
  private readonly bytesByPath = new Map<string, number>();

  count(op: OpKind): void {
    this.requests[op] = (this.requests[op] ?? 0) + 1;
  }

  received(path: string, bytes: number): void {
    this.bytesUploaded += bytes;
    this.bytesByPath.set(path, (this.bytesByPath.get(path) ?? 0) + bytes);
  }

  /** Bytes PUT to hrefs for this path ("/a/b.jpg") or file name ("b.jpg"), across every attempt. */
  uploadBytesReceivedFor(pathOrName: string): number {
    let total = 0;
    for (const [path, bytes] of this.bytesByPath) {
      if (path === pathOrName || path.slice(path.lastIndexOf('/') + 1) === pathOrName) total += bytes;
    }
    return total;
  }
}
