import { posix } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { header, sendReply } from '../shared/http';
import { createEmulatorServer } from '../shared/server';
import { CallbackReceiver, type CallbackRecord } from './callbacks';
import { byteRange } from './content';
import { FAIL_PATH, FrontEndPage, SUCCESS_PATH, frontEndReply, renderFailPage, renderGalleryPage, renderSuccessPage } from './frontEnd';
import { advertisedCrcs, buildListing, checkSpec, type GalleryFileSpec, type GallerySpec } from './listing';
import { parseRange } from './range';
import { FaultQueue, serve, type ServeFault } from './serve';

export type { CallbackRecord } from './callbacks';
export type { GalleryFileSpec, GallerySpec, ListingEntry } from './listing';
export type { ServeFault } from './serve';
export type { FrontEndPage } from './frontEnd';
export { FAIL_PATH, SUCCESS_PATH } from './frontEnd';
export { fileBytes } from './content';
export { expectedFile, type ExpectedFile } from './expected';

export interface GalleryEmulatorOptions {
  /** Key for the HMAC-SHA256 completion-callback signature. */
  callbackSecret?: string;
  /** Lines describing where a transfer landed (the demo shows it in the emulated Drive), for the success page. */
  destinationTree?: (transferId: string) => string[];
}

export interface GalleryStats {
  /** Body bytes actually written, per file id. */
  bytesServed: Record<number, number>;
  /** GET/HEAD requests per file id. */
  requests: Record<number, number>;
  /** Every request that carried a Range header, in order. */
  rangeRequests: Array<{ id: number; range: string; status: number }>;
  listingRequests: number;
}

export interface GalleryEmulator {
  listen(port?: number, host?: string): Promise<{ url: string }>;
  close(): Promise<void>;
  /**
   * Serves a gallery. Called again with the same galleryId, it replaces that gallery's listing, as a photographer
   * editing it between two transfers: photos added, or one changed (another `size` gives other bytes and another
   * CRC32 under the same photo id).
   */
  addGallery(spec: GallerySpec): { listingPath: string };
  /** Serves a gallery page with the "Save to Google Drive" button at `page.path`, on any host name. */
  addFrontEnd(page: FrontEndPage): void;
  /** Faults for the next requests (GET only) of a file, one action per request. */
  faultFile(id: number, actions: ServeFault[]): void;
  /** Faults for the next listing requests, one action per request. */
  failListing(actions: ServeFault[]): void;
  readonly stats: GalleryStats;
  callbacks(): CallbackRecord[];
  /** The next n completion callbacks are answered 500. */
  failCallbacks(n: number): void;
  /** Resolves with the first accepted callback matching `predicate` (default: any). */
  waitForCallback(predicate?: (record: CallbackRecord) => boolean, timeoutMs?: number): Promise<CallbackRecord>;
}

interface StoredGallery {
  spec: GallerySpec;
  files: Map<number, GalleryFileSpec>;
  crcs: Map<number, string>;
}

const LISTING = /^\/g\/api\/stream\/(\d+)\/([0-9a-f]+)$/;
const FILE = /^\/files\/(\d+)\/(\d+)\/([^/]+)$/;
const CALLBACK = '/api/cloud_archive/callback';

export function createGalleryEmulator(opts: GalleryEmulatorOptions = {}): GalleryEmulator {
  const galleries = new Map<string, StoredGallery>();
  const fileFaults = new FaultQueue<number>();
  const listingFaults = new FaultQueue<'listing'>();
  const receiver = new CallbackReceiver(opts.callbackSecret);
  const stats: GalleryStats = { bytesServed: {}, requests: {}, rangeRequests: [], listingRequests: 0 };
  const frontEnds = new Map<string, FrontEndPage>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gallery.invalid');
    const origin = `http://${req.headers.host}`;
    if (url.pathname === CALLBACK && req.method === 'POST') return sendReply(res, await receiver.receive(req));
    const listing = LISTING.exec(url.pathname);
    if (listing && req.method === 'GET') return serveListing({ galleries, stats, listingFaults }, req, res, { galleryId: listing[1]!, hash: listing[2]!, url, origin });
    const file = FILE.exec(url.pathname);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) return serveFile({ galleries, fileFaults, stats }, req, res, { galleryId: file[1]!, id: Number(file[2]), name: decodeURIComponent(file[3]!) });
    if (req.method === 'GET') {
      const page = frontEndPage(url);
      if (page) return sendReply(res, frontEndReply(page));
    }
    notFound(res);
  }

  function frontEndPage(url: URL): string | undefined {
    if (url.pathname === FAIL_PATH) return renderFailPage(url.searchParams.get('reason'));
    if (url.pathname === SUCCESS_PATH) {
      const transferId = url.searchParams.get('transfer_id');
      const done = receiver.all().find((c) => c.status === 200 && (c.json as { transfer_id?: unknown } | undefined)?.transfer_id === transferId);
      return renderSuccessPage(transferId, done, transferId ? opts.destinationTree?.(transferId) : undefined);
    }
    const page = frontEnds.get(url.pathname);
    return page && renderGalleryPage(page);
  }

  const server = createEmulatorServer(handle);
  return {
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(),
    addGallery(spec) {
      checkSpec(spec);
      galleries.set(spec.galleryId, { spec, files: new Map(spec.files.map((f) => [f.id, f])), crcs: advertisedCrcs(spec) });
      return { listingPath: `/g/api/stream/${spec.galleryId}/${spec.hash}?json=true` };
    },
    addFrontEnd(page) {
      frontEnds.set(page.path, page);
    },
    faultFile: (id, actions) => fileFaults.push(id, actions),
    failListing: (actions) => listingFaults.push('listing', actions),
    stats,
    callbacks: () => receiver.all(),
    failCallbacks: (n) => receiver.failNext(n),
    waitForCallback: (predicate = () => true, timeoutMs = 10_000) => receiver.waitFor(predicate, timeoutMs),
  };
}

interface ListingState {
  galleries: Map<string, StoredGallery>;
  listingFaults: FaultQueue<'listing'>;
  stats: GalleryStats;
}

/** The gallery's listing JSON (or the raw body a test set), with the listing's queued faults. */
async function serveListing(state: ListingState, req: IncomingMessage, res: ServerResponse, at: { galleryId: string; hash: string; url: URL; origin: string }): Promise<void> {
  const { galleries, stats, listingFaults } = state;
  const { galleryId, hash, url, origin } = at;
  stats.listingRequests += 1;
  const gallery = galleries.get(galleryId);
  if (!gallery || gallery.spec.hash !== hash || url.searchParams.get('json') !== 'true') return notFound(res);
  const { rawListing } = gallery.spec;
  const body = rawListing ?? JSON.stringify(buildListing(gallery.spec, origin, gallery.crcs));
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) };
  await serve(req, res, { status: 200, headers, pieces: [bytes] }, listingFaults.take('listing'), () => undefined);
}

interface FileState {
  galleries: Map<string, StoredGallery>;
  fileFaults: FaultQueue<number>;
  stats: GalleryStats;
}

/** A photo's bytes: Range and If-Range as a CDN answers them, with the file's queued faults. */
async function serveFile(state: FileState, req: IncomingMessage, res: ServerResponse, at: { galleryId: string; id: number; name: string }): Promise<void> {
  const { galleries, fileFaults, stats } = state;
  const { galleryId, id, name } = at;
  const file = galleries.get(galleryId)?.files.get(id);
  if (!file || posix.basename(file.name) !== name) return notFound(res);
  stats.requests[id] = (stats.requests[id] ?? 0) + 1;
  const etag = `"${id.toString(16)}-${file.size.toString(16)}"`;
  const rangeHeader = header(req, 'range');
  const ifRange = header(req, 'if-range');
  // If-Range with a stale validator: "send the entire representation".
  const range = ifRange !== undefined && ifRange !== etag ? { kind: 'full' as const } : parseRange(rangeHeader, file.size);
  const base = { 'accept-ranges': 'bytes', etag, 'content-type': contentTypeOf(file.name) };
  const fault = req.method === 'GET' ? fileFaults.take(id) : undefined;
  if (range.kind === 'unsatisfiable') {
    stats.rangeRequests.push({ id, range: rangeHeader!, status: 416 });
    res.writeHead(416, { ...base, 'content-range': `bytes */${file.size}`, 'content-length': '0' }).end();
    return;
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, file.size - 1];
  const status = range.kind === 'partial' ? 206 : 200;
  if (rangeHeader !== undefined) stats.rangeRequests.push({ id, range: rangeHeader, status });
  const headers: Record<string, string> = { ...base, 'content-length': String(end - start + 1) };
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
  await serve(req, res, { status, headers, pieces: byteRange(id, start, end) }, fault, (n) => {
    stats.bytesServed[id] = (stats.bytesServed[id] ?? 0) + n;
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '9' }).end('Not Found');
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.heic': 'image/heic',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
};

function contentTypeOf(name: string): string {
  return CONTENT_TYPES[posix.extname(name).toLowerCase()] ?? 'application/octet-stream';
}
