import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { crc32 } from 'hash-wasm';
import { parseConfig } from '../../src/config';
import type { CloudType } from '../../src/providers/registry';
import type { DestinationProvider, PutFileRequest, StoredFile, Verification } from '../../src/providers/types';
import { openWorker } from '../../src/providers/worker-registry';
import { randomId, Sealer } from '../../src/shared/crypto';
import { TransferError, VERIFICATION_FAILED } from '../../src/shared/errors';
import type { FileEntry } from '../../src/source/listing';
import type { TreeNode } from '../helpers/drive-tree';

/**
 * The destination contract: what the workflow relies on from every destination, checked against the real
 * provider (built by the worker registry, as a worker builds it) and the destination's emulator, without Temporal.
 * A destination joins by giving a ContractSubject (src/providers/README.md, "The contract suite").
 */

/** One destination under test, fresh for each case: its own emulator, user and transfer. */
export interface ContractDestination {
  /** The real provider of one transfer, from the worker registry with a configuration pointed at the emulator. */
  provider: DestinationProvider;
  /** Everything the user's storage holds: paths from its top without a leading "/", folders and files. */
  items(): TreeNode[];
  /** Bytes the emulator received from us for the photo named `name`, over every attempt. */
  bytesReceivedFor(name: string): number;
  /** How many injected faults have fired (a case whose fault never fired proves nothing). */
  faultsFired(): number;
  faults: ContractFaults;
  /** The user moves an item (a reference the provider answered) to the trash in the destination's own interface. */
  userTrashes?(ref: string): void;
  close(): Promise<void>;
}

/** The emulator's faults, as each destination spells them. Each arms one fault for what follows. */
export interface ContractFaults {
  /** The next write of the photo named `name` happens, then the connection is cut before the answer. */
  commitThenLoseAnswer(name: string): void;
  /** The next copy of `name` is stored damaged, as this destination's checks can see. */
  corruptStored(name: string): void;
  /** The next write of a photo is refused: the user's storage is full. */
  storageFull(): void;
  /** Calls `cut` once part of `name` is at the destination (the suite then kills the attempt, as a worker dies). */
  cutMidFile(name: string, cut: () => void): void;
}

export interface ContractSubject {
  label: string;
  /** A photo at least this large is written in parts a later attempt can resume. */
  resumableBytes: number;
  /** Set when the destination cannot resume a cut upload: why. The resume case is then skipped with this reason. */
  cannotResume?: string;
  /** Set when its emulator cannot store a copy damaged in a way its checks see: why (that case is then skipped). */
  cannotDamage?: string;
  /** What even a small copy is checked against (default: size). */
  smallCopyChecks?: Verification[];
  /** Set when the destination does not find an earlier copy to save a gallery again into (no findEarlierCopy): why. */
  cannotSaveAgain?: string;
  /** Starts a fresh emulator, signs a user in and builds the provider; once per case. */
  start(): Promise<ContractDestination>;
}

/** Builds a destination's provider the way a worker does: its WorkerFactory, from a parsed configuration. */
export function providerFromRegistry(cloudType: CloudType, env: Record<string, string>, refreshToken: string): DestinationProvider {
  const secret = randomBytes(32).toString('base64');
  const config = parseConfig({
    COMPLETION_CALLBACK_URL: 'https://app.litegallery.io/api/cloud_archive/callback',
    CALLBACK_SECRET: 'contract-callback-secret',
    SECRET_KEY: secret,
    ...env,
  });
  const worker = openWorker(cloudType, config, new Sealer(secret));
  assert.ok(worker, `the configuration offers ${cloudType}`);
  return worker.forTransfer(randomId(), refreshToken);
}

/** Defines the contract's cases for one destination (call at the top level of its test file). */
export function destinationContract(subject: ContractSubject): void {
  describe(`destination contract: ${subject.label}`, () => {
    const photos = new PhotoServer();
    let d: ContractDestination;
    let transferId: string;
    before(() => photos.start());
    after(() => photos.close());
    afterEach(() => d?.close());

    const begin = async () => {
      d = await subject.start();
      transferId = randomId();
      return d;
    };
    /** The gallery folder, made through the provider as the workflow makes it. */
    const gallery = async (name: string) => {
      const [target] = await reserve(d.provider, 1);
      return (await d.provider.createRoot({ transferId, rootName: name, target })).ref;
    };
    /** A photo of the gallery, with its target reserved as the workflow reserves it. */
    const newPhoto = async (name: string, size: number): Promise<Photo> => {
      const [target] = await reserve(d.provider, 1);
      return { ...(await photos.add(name, size)), target };
    };
    const filesUnder = (root: string) => d.items().filter((n) => !n.folder && n.path.startsWith(`${root}/`));

    test('createRoot and createFolder asked twice answer the same references and make one folder each', async () => {
      await begin();
      const [rootTarget, albumTarget] = await reserve(d.provider, 2);
      const rootRequest = { transferId, rootName: 'Twice', target: rootTarget };
      const root = await d.provider.createRoot(rootRequest);
      assert.deepEqual(await d.provider.createRoot(rootRequest), root);
      const albumRequest = { transferId, path: 'Album', parentRef: root.ref, target: albumTarget };
      const album = await d.provider.createFolder(albumRequest);
      assert.equal(await d.provider.createFolder(albumRequest), album);
      assert.deepEqual(d.items().filter((n) => n.folder).map((n) => n.path), ['Twice', 'Twice/Album']);
      assert.deepEqual(await d.provider.findFolders({ transferId, rootRef: root.ref, paths: ['Album'] }), [album]);
    });

    test('a write committed whose answer was lost leaves exactly one copy', async () => {
      await begin();
      const root = await gallery('Lost answer');
      const photo = await newPhoto('lost.jpg', 40_000);
      const fired = d.faultsFired();
      d.faults.commitThenLoseAnswer(photo.file.name);
      const stored = await copy(d.provider, transferId, root, photo);
      assert.equal(d.faultsFired() - fired, 1, 'the answer was lost once');
      assert.deepEqual(filesUnder('Lost answer').map(summary), [{ path: 'Lost answer/lost.jpg', size: photo.bytes.length, md5: md5(photo.bytes) }]);
      for (const check of subject.smallCopyChecks ?? ['size']) assert.ok(stored.verified.includes(check), `verified: ${stored.verified.join(', ')}`);
    });

    test('a copy stored damaged is not kept and fails as verification_failed; a retry as the workflow makes it copies it', { skip: subject.cannotDamage }, async () => {
      await begin();
      const root = await gallery('Damaged');
      const photo = await newPhoto('damaged.jpg', 30_000);
      const fired = d.faultsFired();
      d.faults.corruptStored(photo.file.name);
      let targetSpent = false;
      await assert.rejects(copy(d.provider, transferId, root, photo), (err: unknown) => {
        assert.ok(err instanceof TransferError, String(err));
        assert.deepEqual([err.code, err.retryable, err.accountWide], [VERIFICATION_FAILED, false, false], err.message);
        targetSpent = err.targetSpent;
        return true;
      });
      assert.equal(d.faultsFired() - fired, 1, 'the copy was damaged');
      assert.deepEqual(filesUnder('Damaged'), [], 'nothing is kept');
      // Support's retry: the same target unless the destination said it is spent.
      const [fresh] = targetSpent ? await reserve(d.provider, 1) : [photo.target];
      await copy(d.provider, transferId, root, { ...photo, target: fresh });
      assert.deepEqual(filesUnder('Damaged').map(summary), [{ path: 'Damaged/damaged.jpg', size: photo.bytes.length, md5: md5(photo.bytes) }]);
    });

    test('an upload cut mid-file resumes: the next attempt sends less than the whole photo', { skip: subject.cannotResume }, async () => {
      await begin();
      const root = await gallery('Resumed');
      const photo = await newPhoto('resumed.mov', subject.resumableBytes);
      const killed = new AbortController();
      d.faults.cutMidFile(photo.file.name, () => killed.abort());
      let checkpoint: unknown;
      await assert.rejects(d.provider.putFile(request(transferId, root, photo, undefined, (cp) => (checkpoint = cp), killed.signal)));
      assert.ok(killed.signal.aborted, 'the attempt was cut');
      assert.notEqual(checkpoint, undefined, 'the cut attempt left a checkpoint');
      const before = d.bytesReceivedFor(photo.file.name);
      const stored = await d.provider.putFile(request(transferId, root, photo, checkpoint, () => undefined, new AbortController().signal));
      await commit(d.provider, transferId, root, photo, stored);
      const resent = d.bytesReceivedFor(photo.file.name) - before;
      assert.ok(resent < photo.bytes.length, `the resumed attempt sent ${resent} of ${photo.bytes.length} bytes`);
      assert.ok(stored.bytesSent < photo.bytes.length, `the provider reports ${stored.bytesSent} bytes sent`);
      assert.deepEqual(filesUnder('Resumed').map(summary), [{ path: 'Resumed/resumed.mov', size: photo.bytes.length, md5: md5(photo.bytes) }]);
    });

    test('a full storage fails the photo as account-wide (the transfer stops)', async () => {
      await begin();
      const root = await gallery('Full');
      const photo = await newPhoto('full.jpg', 20_000);
      d.faults.storageFull();
      await assert.rejects(copy(d.provider, transferId, root, photo), (err: unknown) => {
        assert.ok(err instanceof TransferError, String(err));
        assert.deepEqual([err.retryable, err.accountWide], [false, true], `${err.code}: ${err.message}`);
        return true;
      });
      assert.deepEqual(filesUnder('Full'), []);
    });

    test('saving again: the gallery folder and the photos written under it are found by their marks, its albums taken, not made twice; a trashed one is not found', { skip: subject.cannotSaveAgain }, async () => {
      const { provider } = await begin();
      const galleryKey = '858329:webs';
      // The name too, for a destination that finds its gallery folders by name (Photos).
      const lookup = { galleryKey, rootName: 'Again' };
      assert.equal(await provider.findEarlierCopy!(lookup), null, 'nothing before the first save');
      const [rootTarget, albumTarget, otherTarget] = await reserve(provider, 3);
      const root = await provider.createRoot({ transferId, rootName: 'Again', target: rootTarget, galleryKey });
      const album = await provider.createFolder({ transferId, path: 'Album', parentRef: root.ref, target: albumTarget, rootRef: root.ref });
      const photo = await newPhoto('a.jpg', 20_000);
      await copy(provider, transferId, album, photo, 5, { rootRef: root.ref, galleryKey });
      // The other archive type of the same gallery is another gallery.
      await provider.createRoot({ transferId, rootName: 'Other', target: otherTarget, galleryKey: '858329:originals' });

      const found = await provider.findEarlierCopy!(lookup);
      assert.deepEqual(found, { root, files: [{ sourceId: photo.file.sourceId, crc: photo.file.crc }] });
      // A later transfer adds to it: the album there is taken (also when looked up again after a continue-as-new).
      const later = randomId();
      const [laterTarget] = await reserve(provider, 1);
      assert.equal(await provider.createFolder({ transferId: later, path: 'Album', parentRef: root.ref, target: laterTarget, rootRef: root.ref, reuse: true }), album);
      assert.deepEqual(await provider.findFolders({ transferId: later, rootRef: root.ref, paths: ['Album'], reuse: true }), [album]);
      assert.deepEqual(d.items().filter((n) => n.folder).map((n) => n.path).sort(), ['Again', 'Again/Album', 'Other']);

      d.userTrashes!(root.ref);
      assert.equal(await provider.findEarlierCopy!(lookup), null, 'a trashed gallery folder is not added to');
    });

    test('revoking access twice is fine', async () => {
      await begin();
      await d.provider.revokeAccess();
      await d.provider.revokeAccess();
    });
  });
}

/** Targets as the activities get them: reserved when the destination reserves, else none. */
async function reserve(provider: DestinationProvider, count: number): Promise<Array<string | undefined>> {
  return provider.reserveTargets ? provider.reserveTargets(count) : new Array<undefined>(count).fill(undefined);
}

export interface Photo {
  file: FileEntry;
  bytes: Buffer;
  target?: string;
}

/** What the file activity marks the photos with for saving again (PutFileRequest). */
type Marks = Pick<PutFileRequest, 'rootRef' | 'galleryKey'>;

/**
 * Copies a photo as the file activity does: an upload, committed when the destination has that step; a retryable
 * failure is tried again from the saved checkpoint (an upload that can still be committed is not sent again), a
 * few times (Temporal's attempts), a final one is thrown.
 */
async function copy(provider: DestinationProvider, transferId: string, parentId: string, photo: Photo, attempts = 5, marks: Marks = {}): Promise<StoredFile> {
  let checkpoint: unknown;
  let uploaded: StoredFile | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      // Kept from an attempt before: its commit was tried, and may have landed.
      const committedBefore = uploaded !== undefined;
      uploaded ??= await provider.putFile({ ...request(transferId, parentId, photo, checkpoint, (cp) => (checkpoint = cp), new AbortController().signal), ...marks });
      await commit(provider, transferId, parentId, photo, uploaded, committedBefore);
      return uploaded;
    } catch (err) {
      if (err instanceof ReuploadError) uploaded = undefined;
      if (!(err instanceof TransferError) || !err.retryable || attempt === attempts) throw err;
    }
  }
}

/** The commit step of a destination that has one (a no-op otherwise); a failed outcome is thrown. */
async function commit(provider: DestinationProvider, transferId: string, parentId: string, photo: Photo, stored: StoredFile, maybeCommitted = false): Promise<void> {
  if (!provider.commitFiles || stored.pending === undefined) return;
  const [outcome] = await provider.commitFiles({ transferId, items: [{ file: photo.file, parentId, pending: stored.pending, maybeCommitted }], signal: new AbortController().signal });
  if (outcome!.ok) return;
  throw outcome!.reupload ? new ReuploadError(outcome!.error) : outcome!.error;
}

/** The upload can no longer be committed: the next attempt uploads again. */
class ReuploadError extends TransferError {
  constructor(cause: TransferError) {
    super(cause.code, cause.message, cause.retryable, cause);
  }
}

export function request(transferId: string, parentId: string, photo: Photo, checkpoint: unknown, save: (cp: unknown) => void, signal: AbortSignal): PutFileRequest {
  return {
    transferId,
    file: photo.file,
    target: photo.target,
    parentId,
    async *read(offset) {
      for (let at = offset; at < photo.bytes.length; at += 16_384) yield photo.bytes.subarray(at, Math.min(photo.bytes.length, at + 16_384));
    },
    checkpoint,
    saveCheckpoint: save,
    signal,
  };
}

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
const summary = (n: TreeNode) => ({ path: n.path, size: Number(n.size), md5: n.md5 });

/** The gallery's photo URLs, for destinations that download a photo themselves (Yandex's server-side fetch). */
export class PhotoServer {
  readonly #bytes = new Map<string, Buffer>();
  readonly #server = createServer((req, res) => {
    const bytes = this.#bytes.get(req.url ?? '');
    if (bytes) res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
    else res.writeHead(404).end();
  });
  #base = '';
  #nextId = 1;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async add(name: string, size: number): Promise<{ file: FileEntry; bytes: Buffer }> {
    const bytes = randomBytes(size);
    const id = this.#nextId++;
    this.#bytes.set(`/${id}`, bytes);
    const file: FileEntry = { index: 0, sourceId: id, folder: '', folderIndex: -1, name, url: `${this.#base}/${id}`, size, crc: await crc32(bytes) };
    return { file, bytes };
  }
}
