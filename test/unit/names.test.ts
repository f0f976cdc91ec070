import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanSegment, galleryFolderName, MAX_NAME_CHARS, NameDeduper, shorten, toDestinationPath } from '../../src/shared/names';

test('album path and file name come from the entry name', () => {
  assert.deepEqual(toDestinationPath('Photos 1/Test_011.jpg'), { ok: true, folders: ['Photos 1'], fileName: 'Test_011.jpg' });
  assert.deepEqual(toDestinationPath('Test.jpg'), { ok: true, folders: [], fileName: 'Test.jpg' });
  assert.deepEqual(toDestinationPath('a\\b/c.jpg'), { ok: true, folders: ['a\uff3cb'], fileName: 'c.jpg' });
});

test('empty and "." segments are dropped, ".." is refused', () => {
  assert.deepEqual(toDestinationPath('/Photos//./x.jpg'), { ok: true, folders: ['Photos'], fileName: 'x.jpg' });
  const up = toDestinationPath('Photos/../../etc/passwd');
  assert.equal(up.ok, false);
  assert.match((up as { reason: string }).reason, /\.\./);
  assert.equal(toDestinationPath('///').ok, false);
  assert.equal(toDestinationPath('\u0000\u0001').ok, false);
});

test('control and bidi-override characters are removed, whitespace collapsed', () => {
  assert.equal(cleanSegment(' a\tb\u202Egpj.exe '), 'a bgpj.exe');
  assert.equal(cleanSegment('12:30 ceremony.jpg'), '12\uff1a30 ceremony.jpg', 'a colon Yandex Disk would refuse, still readable');
});

test('long names are shortened to the limit keeping the extension', () => {
  const name = `${'x'.repeat(10_000)}.jpg`;
  const short = shorten(name, MAX_NAME_CHARS);
  assert.equal(Array.from(short).length, MAX_NAME_CHARS);
  assert.ok(short.endsWith('….jpg'));
  const emoji = '😀'.repeat(300);
  assert.equal(Array.from(shorten(emoji, 10)).length, 10); // never splits a surrogate pair
});

test('deeply nested names are refused', () => {
  assert.equal(toDestinationPath(`${'a/'.repeat(25)}x.jpg`).ok, false);
});

test('duplicate names in one folder get numbered, case-insensitively', () => {
  const d = new NameDeduper();
  assert.equal(d.unique('A', 'IMG.jpg'), 'IMG.jpg');
  assert.equal(d.unique('A', 'img.JPG'), 'img (2).JPG');
  assert.equal(d.unique('A', 'IMG.jpg'), 'IMG (3).jpg');
  assert.equal(d.unique('B', 'IMG.jpg'), 'IMG.jpg');
  assert.equal(d.unique('A', 'noext'), 'noext');
  assert.equal(d.unique('A', 'noext'), 'noext (2)');
});

test('the gallery folder name is one segment everywhere', () => {
  assert.equal(galleryFolderName('Anna & Max 12/06'), 'Anna & Max 12\uff0f06');
  assert.equal(galleryFolderName('Wedding: day 1'), 'Wedding\uff1a day 1');
  assert.equal(galleryFolderName('..'), 'Gallery');
  assert.equal(galleryFolderName('Свадьба A & B'), 'Свадьба A & B');
});

test('a reserved name (an album) is never given to a file; suffixes resume where they stopped', () => {
  const d = new NameDeduper();
  d.reserve('', 'A');
  assert.equal(d.unique('', 'a'), 'a (2)');
  assert.equal(d.unique('', 'IMG (2).jpg'), 'IMG (2).jpg');
  assert.equal(d.unique('', 'IMG.jpg'), 'IMG.jpg');
  assert.equal(d.unique('', 'IMG.jpg'), 'IMG (3).jpg');
  assert.equal(d.unique('', 'IMG.jpg'), 'IMG (4).jpg');
});
