import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldersNeeded, makeUnits } from '../../src/workflows/units';
import type { FileEntry } from '../../src/source/listing';

const file = (index: number, size: number, folder = '', folderIndex = folder === '' ? -1 : 0): FileEntry => ({ index, sourceId: index, folder, folderIndex, name: `${index}.jpg`, url: 'u', size, crc: '00000000' });
const parents = (refs: string[]) => (folderIndex: number) => (folderIndex < 0 ? 'root' : refs[folderIndex]!);

test('large files get a unit each, small ones are grouped, every file appears once with its target and parent', () => {
  const entries = [file(0, 10), file(1, 10, 'A'), file(2, 100), file(3, 10), file(4, 10), file(5, 10)];
  const units = makeUnits(entries, ['t0', 't1', 't2', 't3', 't4', 't5'], parents(['fa']), { filesPerActivity: 2, multipartMaxBytes: 50 });
  assert.deepEqual(units.map((u) => u.map((f) => f.index)), [[2], [0, 1], [3, 4], [5]]);
  assert.equal(units[1]![1]!.parentId, 'fa');
  assert.equal(units[1]![1]!.target, 't1');
  assert.equal(units[0]![0]!.parentId, 'root');
});

test('a unit never exceeds 32 MiB of small files', () => {
  const mb = 1024 * 1024;
  const units = makeUnits([file(0, 5 * mb), ...Array.from({ length: 9 }, (_, i) => file(i + 1, 5 * mb))], Array(10).fill('t'), parents([]), { filesPerActivity: 100, multipartMaxBytes: 5 * mb });
  assert.deepEqual(units.map((u) => u.length), [6, 4]);
});

test('a page needs every album folder up to the highest one its files use; none for the gallery folder alone', () => {
  assert.equal(foldersNeeded([file(0, 1, 'A', 3), file(1, 1, 'B', 1), file(2, 1)]), 4);
  assert.equal(foldersNeeded([file(0, 1), file(1, 1)]), 0);
  assert.equal(foldersNeeded([]), 0);
});
