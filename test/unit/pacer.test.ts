import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../../src/providers/pacer';

test('rate-limit answers ease the rate down and success brings it back, never above the configured rate', () => {
  const pacer = new Pacer(10, 1);
  pacer.rateLimited();
  pacer.rateLimited();
  assert.ok(Math.abs(pacer.rate - 10 * 0.95 * 0.95) < 1e-9);
  for (let i = 0; i < 1000; i++) pacer.succeeded();
  assert.equal(pacer.rate, 10);
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
  assert.ok(Date.now() - t0 >= 5 * 20 - 5, 'five intervals of 20 ms after the first');
});
