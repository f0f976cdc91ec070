import assert from 'node:assert/strict';
import type { GoogleEmulator } from '../../src/emulators/google';
import type { YandexEmulator } from '../../src/emulators/yandex';
import { expectedFile } from '../../src/emulators/gallery';

export interface SpecFile {
  id: number;
  name: string;
  size: number;
}

const FOLDER = 'application/vnd.google-apps.folder';

/** A gallery with albums, a few multi-chunk files and one nested album. */
let nextId = 1000;

/** Ids are unique across calls: emulator faults are keyed by file id. */
export function sampleFiles(opts: { small?: number; large?: number; largeSize?: number } = {}): SpecFile[] {
  const files: SpecFile[] = [];
  let id = nextId;
  nextId += 1000;
  for (let i = 0; i < (opts.small ?? 12); i++) {
    const album = ['Photos 1', 'Photos 2', 'Photos 2/Details', ''][i % 4];
    files.push({ id: id++, name: `${album ? `${album}/` : ''}IMG_${String(i).padStart(4, '0')}.jpg`, size: 1000 + i * 7919 });
  }
  for (let i = 0; i < (opts.large ?? 2); i++) {
    files.push({ id: id++, name: `Video/clip_${i}.mp4`, size: (opts.largeSize ?? 3 * 1024 * 1024) + i * 12345 });
  }
  return files;
}

/** A destination's content, whatever the provider: paths from the top of the drive, without a leading "/". */
export interface TreeNode {
  path: string;
  folder: boolean;
  size?: number;
  md5?: string;
}

export function driveNodes(google: GoogleEmulator): TreeNode[] {
  return google.tree().map((n) => ({ path: n.path, folder: n.mimeType === FOLDER, size: Number(n.size), md5: n.md5 }));
}

export function yandexNodes(yandex: YandexEmulator): TreeNode[] {
  return yandex.tree().map((n) => ({ path: n.path.replace(/^\//, ''), folder: n.type === 'dir', size: n.size, md5: n.md5 }));
}

/**
 * Google Photos as paths: an album titled "<gallery> — a / b" is the folder "<gallery>/a/b", and its items the files
 * in it. Items in no album show at the top, where no gallery file belongs.
 */
export function photosNodes(google: GoogleEmulator): TreeNode[] {
  const { albums, items } = google.photos.tree();
  const pathOf = (title: string) => title.replace(' — ', '/').split(' / ').join('/');
  const inAlbums = new Set(albums.flatMap((a) => a.items.map((i) => i.id)));
  return [
    ...albums.flatMap((album) => [
      { path: pathOf(album.title), folder: true },
      ...album.items.map((i) => ({ path: `${pathOf(album.title)}/${i.filename}`, folder: false, size: i.size, md5: i.md5 })),
    ]),
    ...items.filter((i) => !inAlbums.has(i.id)).map((i) => ({ path: i.filename, folder: false, size: i.size, md5: i.md5 })),
  ];
}

/**
 * Asserts the user's Drive holds exactly the gallery: every file at its path with the right size and MD5,
 * every folder once, nothing else (no duplicates).
 */
export function assertDriveTree(google: GoogleEmulator, root: string, files: SpecFile[], opts: { missing?: number[] } = {}): void {
  assertTree(driveNodes(google), root, files, opts);
}

/** The same for any destination's nodes. */
export function assertTree(tree: TreeNode[], root: string, files: SpecFile[], opts: { missing?: number[] } = {}): void {
  const nodes = tree.filter((n) => n.path === root || n.path.startsWith(`${root}/`));
  const actualFiles = nodes
    .filter((n) => !n.folder)
    .map((n) => ({ path: n.path, size: Number(n.size), md5: n.md5 }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const expected = files
    .filter((f) => !opts.missing?.includes(f.id))
    .map((f) => ({ path: `${root}/${f.name}`, size: f.size, md5: expectedFile(f.id, f.size).md5 }))
    .sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(actualFiles, expected, "the destination's files differ from the gallery");

  const folders = nodes.filter((n) => n.folder).map((n) => n.path).sort();
  const expectedFolders = new Set<string>([root]);
  for (const f of files) {
    const parts = f.name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) expectedFolders.add(`${root}/${parts.slice(0, i).join('/')}`);
  }
  assert.deepEqual(folders, [...expectedFolders].sort(), "the destination's folders differ (duplicates or missing)");
}
