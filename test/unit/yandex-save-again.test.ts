import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { YandexResource } from '../../src/providers/yandex-disk/api';
import { besideName, EarlierCopyFinder, fileMarks, hasMarks, isOlderVersion, type PageReader } from '../../src/providers/yandex-disk/save-again';
import type { FileEntry } from '../../src/source/listing';

const file = (sourceId: number, crc: string): FileEntry => ({ index: 0, sourceId, folder: '', folderIndex: -1, name: 'a.jpg', url: 'https://x/a', size: 1, crc });
const dir = (path: string, props?: Record<string, unknown>, created = '2026-01-01T00:00:00+00:00'): YandexResource => ({ path: `disk:${path}`, name: path.slice(path.lastIndexOf('/') + 1), type: 'dir', created, ...(props ? { custom_properties: props } : {}) });
const photo = (path: string, props?: Record<string, unknown>): YandexResource => ({ path: `disk:${path}`, name: path.slice(path.lastIndexOf('/') + 1), type: 'file', ...(props ? { custom_properties: props } : {}) });

test('a photo goes beside an older version of it under "Name (n).ext"', () => {
  assert.equal(besideName('/G/IMG_1.jpg', 2), '/G/IMG_1 (2).jpg');
  assert.equal(besideName('/G/a.b/IMG.tar.gz', 3), '/G/a.b/IMG.tar (3).gz');
  assert.equal(besideName('/G.v2/README', 2), '/G.v2/README (2)');
  assert.equal(besideName('/G/.hidden', 2), '/G/.hidden (2)');
});

test('an older version is a file of the same gallery folder with another CRC32; marks are compared as written', () => {
  const marks = fileMarks('t1', file(7, 'aaaa0001'));
  assert.deepEqual(marks, { cloud_archive_root: 't1', cloud_archive_photo: '7', cloud_archive_crc: 'aaaa0001' });
  assert.ok(isOlderVersion(photo('/G/a.jpg', marks), 't1', file(7, 'bbbb0002')));
  assert.ok(!isOlderVersion(photo('/G/a.jpg', marks), 't1', file(7, 'aaaa0001')), 'the same version');
  assert.ok(!isOlderVersion(photo('/G/a.jpg', marks), 't2', file(7, 'bbbb0002')), 'another gallery folder');
  assert.ok(!isOlderVersion(photo('/G/a.jpg'), 't1', file(7, 'bbbb0002')), 'unmarked: not ours');
  assert.ok(hasMarks(photo('/G/a.jpg', { ...marks, other: 1 }), marks));
  assert.ok(!hasMarks(photo('/G/a.jpg', { ...marks, cloud_archive_crc: 'x' }), marks));
});

test('the earlier copy: the newest folder marked with the gallery (no staging folder), its tree listed page by page, only photos marked with its identity', async () => {
  const gallery = { cloud_archive_gallery: '5:originals' };
  const folders: Record<string, YandexResource[]> = {
    '/': [
      dir('/Old', { ...gallery, cloud_archive_transfer: 'old' }, '2026-01-01T00:00:00+00:00'),
      dir('/.cloud-archive-crashed', { ...gallery, cloud_archive_transfer: 'crashed' }, '2026-03-01T00:00:00+00:00'),
      dir('/New', { ...gallery, cloud_archive_transfer: 'new' }, '2026-02-01T00:00:00+00:00'),
      dir('/Other', { cloud_archive_gallery: '5:webs', cloud_archive_transfer: 'other' }, '2026-04-01T00:00:00+00:00'),
      photo('/loose.jpg'),
    ],
    '/New': [
      photo('/New/a.jpg', fileMarks('new', file(1, '00000001'))),
      dir('/New/Album', { cloud_archive_root: 'new' }),
      photo('/New/mine.jpg'),
      photo('/New/copied.jpg', fileMarks('old', file(9, '00000009'))),
    ],
    '/New/Album': [photo('/New/Album/b.jpg', fileMarks('new', file(2, '00000002'))), dir('/New/Album/Deeper')],
    '/New/Album/Deeper': [photo('/New/Album/Deeper/c.jpg', fileMarks('new', file(3, '00000003')))],
  };
  const asked: string[] = [];
  // Two items a page, whatever the limit: the finder must follow the total.
  const page: PageReader = async (_what, path, _fields, offset) => {
    asked.push(`${path}@${offset}`);
    const items = folders[path] ?? [];
    return { items: items.slice(offset, offset + 2), total: items.length };
  };
  const found = await new EarlierCopyFinder(page).find('5:originals');
  assert.equal(found?.root, '/New');
  assert.deepEqual(found?.files.sort((x, y) => x.sourceId - y.sourceId), [
    { sourceId: 1, crc: '00000001' },
    { sourceId: 2, crc: '00000002' },
    { sourceId: 3, crc: '00000003' },
  ]);
  assert.deepEqual(asked.filter((a) => a.startsWith('/@')), ['/@0', '/@2', '/@4']);
  assert.equal(await new EarlierCopyFinder(page).find('6:originals'), null);
});
