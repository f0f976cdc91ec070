import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SharedReadings } from '../../src/api/transfers/shared-readings';
import { clientKey, StreamLimiter } from '../../src/api/transfers/stream-limits';
import { parseTrustProxy } from '../../src/api/trust-proxy';

/** The pieces that bound what status readers cost: shared readings, stream caps, who a client is. */

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SharedReadings', () => {
  function setup() {
    let now = 0;
    const pending: Array<{ key: string; done: ReturnType<typeof deferred<string>> }> = [];
    const readings = new SharedReadings(
      (key) => {
        const done = deferred<string>();
        pending.push({ key, done });
        return done.promise;
      },
      { freshMs: 1000, maxEntries: 3, now: () => now },
    );
    const settle = async (i: number, value: string) => {
      pending[i]!.done.resolve(value);
      await pending[i]!.done.promise;
      await new Promise(setImmediate); // let the reading record when it settled
    };
    return { readings, pending, settle, tick: (ms: number) => void (now += ms) };
  }

  test('callers share a reading in flight and for freshMs after it settled, then one new reading starts', async () => {
    const { readings, pending, settle, tick } = setup();
    const first = [readings.get('a'), readings.get('a'), readings.get('a')];
    await new Promise(setImmediate);
    assert.equal(pending.length, 1, 'one reading for three callers');
    tick(5000); // a slow reading: still shared while in flight
    assert.equal(readings.get('a'), first[0]);
    await settle(0, 'v1');
    assert.deepEqual(await Promise.all(first), ['v1', 'v1', 'v1']);
    tick(999);
    assert.equal(await readings.get('a'), 'v1', 'fresh for 1 s after it settled');
    assert.equal(pending.length, 1);
    tick(1);
    const second = readings.get('a');
    await new Promise(setImmediate);
    assert.equal(pending.length, 2, 'stale: read anew');
    await settle(1, 'v2');
    assert.equal(await second, 'v2');
  });

  test('a failed reading is shared too, for the same time', async () => {
    const { readings, pending, tick } = setup();
    const a = readings.get('a');
    await new Promise(setImmediate);
    pending[0]!.done.reject(new Error('Temporal down'));
    await assert.rejects(a, /Temporal down/);
    await new Promise(setImmediate);
    await assert.rejects(readings.get('a'), /Temporal down/);
    assert.equal(pending.length, 1);
    tick(1000);
    void readings.get('a');
    await new Promise(setImmediate);
    assert.equal(pending.length, 2);
  });

  test('keys are read separately; forget() reads anew; stale entries leave and the map stays bounded', async () => {
    const { readings, pending, settle, tick } = setup();
    void readings.get('a');
    void readings.get('b');
    await new Promise(setImmediate);
    assert.deepEqual(pending.map((p) => p.key), ['a', 'b']);
    await settle(0, 'a1');
    await settle(1, 'b1');
    readings.forget('a');
    void readings.get('a');
    await new Promise(setImmediate);
    assert.equal(pending.length, 3);
    for (const key of ['c', 'd', 'e']) void readings.get(key);
    assert.equal(readings.size, 3, 'maxEntries');
    tick(1000);
    for (let i = 2; i < pending.length; i++) await settle(i, 'x');
    tick(1000);
    void readings.get('z');
    assert.equal(readings.size, 1, 'the stale ones left');
  });
});

describe('StreamLimiter', () => {
  test('caps streams per client and in total; release is idempotent and frees the slot', () => {
    const limiter = new StreamLimiter({ total: 3, perClient: 2 });
    const a1 = limiter.acquire('a');
    const a2 = limiter.acquire('a');
    assert.deepEqual(limiter.acquire('a'), { refused: 'client' });
    const b1 = limiter.acquire('b');
    assert.deepEqual(limiter.acquire('c'), { refused: 'total' });
    assert.equal(limiter.open, 3);
    for (const slot of [a1, a2, b1]) assert.ok(!('refused' in slot));
    if ('release' in a1) {
      a1.release();
      a1.release();
    }
    assert.equal(limiter.open, 2);
    assert.ok('release' in limiter.acquire('c'), 'a released slot is free for anyone');
    assert.deepEqual(limiter.acquire('d'), { refused: 'total' });
    assert.deepEqual(limiter.acquire('a'), { refused: 'total' }, 'a holds one of its two, but the total is reached');
  });
});

describe('clientKey', () => {
  test('IPv4 as it is, IPv6 by its /64, IPv4-mapped as IPv4, anything else as one unknown client', () => {
    assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.notEqual(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'));
    assert.equal(clientKey(undefined), 'unknown');
    assert.equal(clientKey('not an address'), 'unknown');
  });
});

describe('TRUST_PROXY', () => {
  test('a hop count, or addresses, ranges and the three names; never "trust anyone"', () => {
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('1'), 1);
    assert.deepEqual(parseTrustProxy('uniquelocal, 203.0.113.0/24,::1'), ['uniquelocal', '203.0.113.0/24', '::1']);
    assert.throws(() => parseTrustProxy('true'), /"true" is not an address/);
    assert.throws(() => parseTrustProxy('10.0.0.0/33'), /not an address/);
    assert.throws(() => parseTrustProxy(' , '), /hop count or a list/);
  });
});
