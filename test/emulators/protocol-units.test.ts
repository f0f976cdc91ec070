import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSelectionError, checkSelection, parseFields, project } from '../../src/emulators/google/drive/fields';
import { FILE_LIST_SCHEMA, FILE_SCHEMA } from '../../src/emulators/google/drive/resource';
import { ContentRangeError, parseContentRange } from '../../src/emulators/google/upload/contentRange';
import { MultipartError, boundaryOf, parseMultipart } from '../../src/emulators/google/upload/multipart';

describe('fields partial responses', () => {
  const file = { kind: 'drive#file', id: 'F', name: 'a.jpg', size: '3', md5Checksum: 'abc', appProperties: { galleryId: '1', photoId: '2' } };
  const list = { kind: 'drive#fileList', nextPageToken: 'T', incompleteSearch: false, files: [file, { ...file, id: 'G' }] };

  it('selects top-level fields', () => {
    assert.deepEqual(project(file, parseFields('id,name,size,md5Checksum'), FILE_SCHEMA), { id: 'F', name: 'a.jpg', size: '3', md5Checksum: 'abc' });
  });

  it('selects inside list items with files(...) and files/...', () => {
    assert.deepEqual(project(list, parseFields('files(id,appProperties),nextPageToken'), FILE_LIST_SCHEMA), {
      files: [{ id: 'F', appProperties: file.appProperties }, { id: 'G', appProperties: file.appProperties }],
      nextPageToken: 'T',
    });
    assert.deepEqual(project(list, parseFields('files/id'), FILE_LIST_SCHEMA), { files: [{ id: 'F' }, { id: 'G' }] });
  });

  it('leaves nextPageToken out unless asked for, like Drive', () => {
    assert.equal('nextPageToken' in project(list, parseFields('files(id)'), FILE_LIST_SCHEMA), false);
  });

  it('supports * and map keys', () => {
    assert.deepEqual(project(file, parseFields('*'), FILE_SCHEMA), file);
    assert.deepEqual(project(file, parseFields('appProperties/galleryId'), FILE_SCHEMA), { appProperties: { galleryId: '1' } });
  });

  it('rejects unknown fields and broken syntax', () => {
    assert.throws(() => checkSelection(parseFields('id,md5'), FILE_SCHEMA), FieldSelectionError);
    assert.throws(() => checkSelection(parseFields('files(id,bogus)'), FILE_LIST_SCHEMA), FieldSelectionError);
    for (const bad of ['', 'id,', 'files(id', 'id)', 'a b']) assert.throws(() => parseFields(bad), FieldSelectionError, bad);
  });
});

describe('Content-Range', () => {
  it('parses chunks and status queries', () => {
    assert.deepEqual(parseContentRange('bytes 0-524287/2000000'), { kind: 'chunk', start: 0, end: 524287, total: 2000000 });
    assert.deepEqual(parseContentRange('bytes 262144-524287/*'), { kind: 'chunk', start: 262144, end: 524287, total: undefined });
    assert.deepEqual(parseContentRange('bytes */2000000'), { kind: 'query', total: 2000000 });
    assert.deepEqual(parseContentRange('bytes */*'), { kind: 'query', total: undefined });
  });

  for (const bad of ['bytes 5-4/10', 'bytes 0-10/10', 'bytes=0-1/2', 'bytes 0-/10', 'items 0-1/2', 'bytes -1-2/3']) {
    it(`rejects '${bad}'`, () => assert.throws(() => parseContentRange(bad), ContentRangeError));
  }
});

describe('multipart/related', () => {
  const body = (parts: string): Buffer => Buffer.from(parts.replaceAll('\n', '\r\n'));

  it('parses metadata + media, as googleapis frames them (no CRLF after the close delimiter)', () => {
    const raw = body('--b1\ncontent-type: application/json\n\n{"name":"a"}\n--b1\ncontent-type: image/jpeg\n\nJPEG\nBYTES\n--b1--');
    const parsed = parseMultipart(raw, boundaryOf('multipart/related; boundary=b1'));
    assert.equal(parsed.metadata.toString(), '{"name":"a"}');
    assert.equal(parsed.mediaType, 'image/jpeg');
    assert.equal(parsed.media.toString(), 'JPEG\r\nBYTES');
  });

  it('accepts a quoted boundary', () => {
    assert.equal(boundaryOf('multipart/related; boundary="a b"'), 'a b');
  });

  it('rejects missing parts, wrong order, missing media type and missing terminator', () => {
    const cases = [
      body('--b1\ncontent-type: application/json\n\n{}\n--b1--'),
      body('--b1\ncontent-type: image/jpeg\n\nX\n--b1\ncontent-type: application/json\n\n{}\n--b1--'),
      body('--b1\ncontent-type: application/json\n\n{}\n--b1\n\nX\n--b1--'),
      body('--b1\ncontent-type: application/json\n\n{}\n--b1\ncontent-type: image/jpeg\n\nX'),
    ];
    for (const raw of cases) assert.throws(() => parseMultipart(raw, 'b1'), MultipartError);
    assert.throws(() => boundaryOf('multipart/form-data; boundary=x'), MultipartError);
  });
});
