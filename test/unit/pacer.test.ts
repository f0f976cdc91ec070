import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Pacer } from '../../src/providers/pacer';

test('paces 2 % under the configured rate; answers in a row ease it down, success brings it back', () => {
  const pacer = new Pacer(10, 1);
  assert.equal(pacer.rate, 9.8);
  for (let i = 0; i < 100; i++) pacer.succeeded();
  pacer.rateLimited();
  assert.equal(pacer.rate, 9.8, 'a lone answer (one request a little early) changes nothing');
  pacer.rateLimited();
  assert.ok(Math.abs(pacer.rate - 9.8 * 0.85) < 1e-9);
  for (let i = 0; i < 200; i++) pacer.succeeded();
  assert.ok(Math.abs(pacer.rate - 9.8 * 0.98) < 1e-9, 'back up under the rate refused, held there for a while (aimd.ts)');
  for (let i = 0; i < 1000; i++) pacer.succeeded();
  assert.equal(pacer.rate, 9.8, 'then back at the configured rate, never above');
});

test('with a ceiling above the safe rate the pace is found: it rises on successes', () => {
  const pacer = new Pacer({ start: 3, max: 20, step: 1 }, 1);
  for (let i = 0; i < 30; i++) pacer.succeeded();
  assert.ok(pacer.rate > 6, `${pacer.rate}`);
});

test('the first answers cost one interval, a streak backs off exponentially, Retry-After wins', () => {
  const pacer = new Pacer(4, 1);
  assert.ok(pacer.rateLimited() < 300);
  assert.ok(pacer.rateLimited() < 320);
  assert.ok(pacer.rateLimited() >= 1000);
  assert.ok(pacer.rateLimited() >= 2000);
  assert.equal(pacer.rateLimited(7000), 7000);
});

test('take() spaces writes at the rate', async () => {
  const pacer = new Pacer(50, 1);
  const t0 = Date.now();
  for (let i = 0; i < 6; i++) await pacer.take();
  assert.ok(Date.now() - t0 >= 5 * (1000 / 49) - 5, 'five intervals (at 98 % of 50/s) after the first');
});

test('an urgent write (an album its photos wait for) takes the next slot ahead of regular writes already waiting', async () => {
  const pacer = new Pacer(20, 1);
  await pacer.take(); // the burst is spent: everyone below waits for the next slot
  const order: string[] = [];
  const regular = [1, 2, 3].map((n) => pacer.take().then(() => order.push(`photo ${n}`)));
  const urgent = pacer.take(undefined, true).then(() => order.push('album'));
  await Promise.all([...regular, urgent]);
  assert.equal(order[0], 'album', order.join(', '));
  assert.equal(order.length, 4);
});

test('a write refused in a burst stops the bursts, not the pace: the account takes none', async () => {
  const pacer = new Pacer({ start: 20, max: 40, step: 1 }, 3);
  const first = await pacer.take();
  const second = await pacer.take();
  assert.deepEqual([first.bunched, second.bunched], [false, true]);
  const rate = pacer.rate;
  pacer.rateLimited(undefined, second);
  assert.equal(pacer.rate, rate, 'the pace stays');
  // Idle long enough for a burst of 3 to build up again, were bursts still allowed.
  await delay(5 * (1000 / rate));
  await pacer.take();
  const t0 = Date.now();
  await pacer.take();
  await pacer.take();
  assert.ok(Date.now() - t0 >= 2 * (1000 / rate) - 5, 'one slot per interval: no burst left');
});
