import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainLink, placeInChain, preorderFolders } from '../../src/source/folder-tree';

const split = (paths: string[]) => paths.map((p) => (p === '' ? [] : p.split('/')));

test('folders come in pre-order, siblings in the order the listing first uses them', () => {
  const order = preorderFolders(split(['Zoe', 'Adam/Close-ups', '', 'Zoe', 'Adam', 'Zoe/Extra', 'Adam/Close-ups/B', 'Bea', 'Adam/Group']));
  assert.deepEqual(order, ['Zoe', 'Zoe/Extra', 'Adam', 'Adam/Close-ups', 'Adam/Close-ups/B', 'Adam/Group', 'Bea']);
});

test('every folder follows its parent, and every ancestor of a file folder is listed once', () => {
  const order = preorderFolders(split(['a/b/c', 'x', 'a/d', 'a/b/e', 'x/y/z']));
  assert.deepEqual(order, ['a', 'a/b', 'a/b/c', 'a/b/e', 'a/d', 'x', 'x/y', 'x/y/z']);
  assert.equal(new Set(order).size, order.length);
  for (const [i, path] of order.entries()) {
    const parent = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    if (parent !== '') assert.ok(order.indexOf(parent) < i, `${parent} before ${path}`);
  }
});

test('the same listing gives the same order (no locale or hash order involved)', () => {
  const files = split(['Élan', 'elan', 'Ärger', 'a', 'B', 'b']);
  assert.deepEqual(preorderFolders(files), ['Élan', 'elan', 'Ärger', 'a', 'B', 'b']);
});

/** Makes folders [from, to) as a batch would, from the chain the previous batch left; refs are "#<index>". */
function batch(folders: string[], chain: ChainLink[], from: number, to: number) {
  const parents: Array<string | null> = [];
  for (let index = from; index < to; index++) {
    const place = placeInChain(chain, folders, index);
    parents.push(place.parent?.ref ?? null);
    chain = place.extend(`#${index}`);
  }
  return { parents, chain };
}

test('a batch finds each parent on the chain it was handed or among its own folders, whatever the batch size', () => {
  const folders = preorderFolders(split(['a/b/c', 'x', 'a/d', 'a/b/e', 'x/y/z', 'q']));
  const whole = batch(folders, [], 0, folders.length).parents;
  assert.deepEqual(whole, [null, '#0', '#1', '#1', '#0', null, '#5', '#6', null]);
  for (const size of [1, 2, 3, 4]) {
    let chain: ChainLink[] = [];
    const parents: Array<string | null> = [];
    for (let from = 0; from < folders.length; from += size) {
      const made = batch(folders, chain, from, Math.min(folders.length, from + size));
      parents.push(...made.parents);
      chain = made.chain;
      assert.ok(chain.length <= 3, 'the chain is never deeper than the tree');
    }
    assert.deepEqual(parents, whole, `batches of ${size}`);
  }
});

test('a chain that does not hold the parent is a bug, refused rather than guessed through', () => {
  const folders = ['a', 'a/b', 'c', 'c/d'];
  assert.throws(() => placeInChain([{ index: 0, ref: '#0' }], folders, 3), /does not follow its parent/);
  assert.throws(() => placeInChain([], folders, 1), /does not follow its parent/);
  assert.throws(() => placeInChain([], folders, 4), /no folder 4/);
});
