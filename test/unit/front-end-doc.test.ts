import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { START_TRANSFER_ERRORS } from '../../src/api/errors';
import { MAX_BODY } from '../../src/api/middleware';
import { FAIL_REASONS } from '../../src/api/routes/oauth-callback';
import { REQUEST_LIMITS, createTransferRequestSchema } from '../../src/api/transfer-request';

/**
 * docs/front-end.md is what the gallery's developers code against: its lists of fail reasons, error codes and
 * field limits must be the code's, so neither can change without the other.
 */

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'front-end.md'), 'utf8');

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const lines = DOC.split('\n');
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `docs/front-end.md has no heading "${heading}"`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The body rows of the section's table, as cells. */
function tableRows(text: string): string[][] {
  const rows = text.split('\n').filter((line) => line.startsWith('|')).map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()));
  assert.ok(rows.length > 2, 'a table with rows');
  return rows.slice(2); // header and separator
}

const codesIn = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('docs/front-end.md against the code', () => {
  test('the fail link reasons are exactly FAIL_REASONS', () => {
    const documented = tableRows(section('### Fail link reasons')).map(([reason]) => codesIn(reason!)[0]);
    assert.deepEqual([...documented].sort(), [...FAIL_REASONS].sort());
  });

  test('the errors of POST /cloud_archive are exactly START_TRANSFER_ERRORS, with their status', () => {
    const documented = Object.fromEntries(tableRows(section('### Errors of `POST /cloud_archive`')).map(([status, code]) => [codesIn(code!)[0], Number(status)]));
    assert.deepEqual(documented, { ...START_TRANSFER_ERRORS });
  });

  test('the field limits are REQUEST_LIMITS and MAX_BODY; the two types list the schema values', () => {
    const limits = new Map(tableRows(section('## Field limits')).map(([fields, limit]) => [fields!, limit!]));
    const documented = (field: string) => [...limits].find(([fields]) => codesIn(fields).includes(field))?.[1];
    assert.equal(documented('redirect_success_link'), `${REQUEST_LIMITS.redirectLinkChars} characters`);
    assert.equal(documented('redirect_fail_link'), `${REQUEST_LIMITS.redirectLinkChars} characters`);
    assert.equal(documented('archive_url'), `${REQUEST_LIMITS.archiveUrlChars} characters`);
    assert.equal(documented('gallery_name'), `${REQUEST_LIMITS.galleryNameChars} characters`);
    assert.equal(Object.keys(REQUEST_LIMITS).length, 3, 'a new limit needs its row (and a line here)');
    assert.equal(limits.get('the whole JSON body'), `${/^(\d+)kb$/.exec(MAX_BODY)![1]} KiB`);

    const shape = createTransferRequestSchema({ REDIRECT_URL_HOSTS: [], ARCHIVE_URL_HOSTS: [] }).shape;
    const enumLine = (field: string) => new RegExp(`\`${field}\` is ([^.;]+)`).exec(section('## Field limits'))?.[1];
    assert.deepEqual(codesIn(enumLine('archive_type') ?? ''), shape.archive_type.options);
    assert.deepEqual(codesIn(enumLine('cloud_type') ?? ''), shape.cloud_type.options);
  });
});
