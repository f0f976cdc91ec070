import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matches, parseQuery, QuerySyntaxError, type Queryable } from '../../src/emulators/google/drive/query';

const ROOT = '0AROOTUk9PVA';
const item = (over: Partial<Queryable> = {}): Queryable => ({
  name: 'Photos 1',
  mimeType: 'application/vnd.google-apps.folder',
  trashed: false,
  parents: ['P1'],
  appProperties: { galleryId: '858329', photoId: '42' },
  properties: { color: 'red' },
  ...over,
});
const query = (q: string, it: Queryable = item()): boolean => matches(parseQuery(q), it, ROOT);

describe('Drive q parser', () => {
  it('parses the folder lookup our client sends', () => {
    assert.deepEqual(parseQuery("name = 'Photos 1' and 'P1' in parents and mimeType = 'application/vnd.google-apps.folder' and trashed = false"), {
      kind: 'and',
      operands: [
        { kind: 'compare', field: 'name', op: '=', value: 'Photos 1' },
        { kind: 'inParents', parentId: 'P1' },
        { kind: 'compare', field: 'mimeType', op: '=', value: 'application/vnd.google-apps.folder' },
        { kind: 'trashed', op: '=', value: false },
      ],
    });
  });

  it('unescapes \\\' and \\\\ inside strings', () => {
    assert.deepEqual(parseQuery("name = 'It\\'s a \\\\ path'"), { kind: 'compare', field: 'name', op: '=', value: "It's a \\ path" });
    assert.equal(query("name = 'O\\'Brien'", item({ name: "O'Brien" })), true);
  });

  it('binds and tighter than or, and honours parentheses and not', () => {
    assert.deepEqual(parseQuery("name = 'a' or name = 'b' and trashed = true"), {
      kind: 'or',
      operands: [
        { kind: 'compare', field: 'name', op: '=', value: 'a' },
        { kind: 'and', operands: [{ kind: 'compare', field: 'name', op: '=', value: 'b' }, { kind: 'trashed', op: '=', value: true }] },
      ],
    });
    assert.equal(query("('P1' in parents or 'P2' in parents) and not name contains 'Video'"), true);
    assert.equal(query("not ('P1' in parents)"), false);
  });

  it('evaluates each term against an item', () => {
    assert.equal(query("name != 'Photos 2'"), true);
    assert.equal(query("mimeType != 'application/vnd.google-apps.folder'"), false);
    assert.equal(query("mimeType contains 'google-apps'"), true);
    assert.equal(query('trashed != true'), true);
    assert.equal(query('trashed = true', item({ trashed: true })), true);
    assert.equal(query("appProperties has { key='galleryId' and value='858329' }"), true);
    assert.equal(query("appProperties has { key='galleryId' and value='1' }"), false);
    assert.equal(query("properties has { key='color' and value='red' }"), true);
    assert.equal(query("'root' in parents", item({ parents: [ROOT] })), true);
  });

  it('matches name contains by prefix of the name or of a word, ignoring case', () => {
    assert.equal(query("name contains 'photo'"), true);
    assert.equal(query("name contains '1'"), true);
    // "a query of name contains 'World' doesn't [match HelloWorld]"
    assert.equal(query("name contains 'World'", item({ name: 'HelloWorld' })), false);
    assert.equal(query("name contains 'hotos'"), false);
  });

  for (const bad of [
    '',
    "name = 'unterminated",
    "name = 'bad \\n escape'",
    "name == 'x'",
    "name = x",
    "modifiedTime > '2024-01-01'",
    "fullText contains 'x'",
    "trashed = 'false'",
    "name = 'a' and",
    "(name = 'a'",
    "name = 'a')",
    "'x' in owners",
    "appProperties has { key='k' }",
    "name = 'a' AND name = 'b'",
    "name < 'b'",
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseQuery(bad), QuerySyntaxError);
    });
  }
});
