import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { withQuery } from '../../src/api/redirects';

/** The gallery's links come back with its own query and fragment byte for byte; only our parameters are added. */
describe('withQuery', () => {
  const id = { transfer_id: 'T1' };

  for (const [link, expected] of [
    ['https://g.lite.gallery/done', 'https://g.lite.gallery/done?transfer_id=T1'],
    ['https://g.lite.gallery/done?', 'https://g.lite.gallery/done?transfer_id=T1'],
    ['https://g.lite.gallery/done#top', 'https://g.lite.gallery/done?transfer_id=T1#top'],
    ['https://g.lite.gallery/done#frag?x=1&y', 'https://g.lite.gallery/done?transfer_id=T1#frag?x=1&y'],
    // Repeated keys, `+`, escapes (one of them invalid), a key without `=`, an empty key, an empty pair: untouched.
    ['https://g.lite.gallery/done?a=1&a=2&q=x+y&e=%2F%26%zz&flag&=v&&z=', 'https://g.lite.gallery/done?a=1&a=2&q=x+y&e=%2F%26%zz&flag&=v&&z=&transfer_id=T1'],
    ['https://g.lite.gallery/done?lang=ru#top', 'https://g.lite.gallery/done?lang=ru&transfer_id=T1#top'],
    // A parameter of ours already there, however spelt, is replaced so the page reads one value, ours.
    ['https://g.lite.gallery/done?transfer_id=old&a=1&transfer%5Fid=older&transfer+id=kept', 'https://g.lite.gallery/done?a=1&transfer+id=kept&transfer_id=T1'],
  ] as const) {
    test(link, () => {
      assert.equal(withQuery(link, id), expected);
      assert.equal(new URL(withQuery(link, id)).searchParams.getAll('transfer_id').join(), 'T1');
    });
  }

  test('several parameters, values encoded as a form would', () => {
    assert.equal(
      withQuery('https://g.lite.gallery/failed?lang=ru&reason=x#a&b', { reason: 'access_denied', transfer_id: 'a b&c' }),
      'https://g.lite.gallery/failed?lang=ru&reason=access_denied&transfer_id=a+b%26c#a&b',
    );
  });
});
