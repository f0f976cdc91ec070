import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AimdRate } from '../../src/providers/aimd';

/** Successes at the current rate for `seconds` of clock, from `t0`; returns the clock after. */
function succeed(aimd: AimdRate, t0: number, seconds: number): number {
  let t = t0;
  while (t < t0 + seconds * 1000) {
    aimd.succeeded();
    t += 1000 / aimd.rate;
  }
  return t;
}

test('starts 2 % under the safe rate and rises by the step per second of successes, up to 2 % under the ceiling', () => {
  const aimd = new AimdRate({ start: 3, max: 20, step: 1 });
  assert.equal(aimd.rate, 2.94);
  const t = succeed(aimd, 0, 5);
  assert.ok(aimd.rate > 7.5 && aimd.rate < 8.5, `about 3 + 5 × 1 after 5 s: ${aimd.rate}`);
  succeed(aimd, t, 60);
  assert.equal(aimd.rate, 19.6);
});

test('a fixed pace (ceiling = start) never rises, and a lone answer there is an early arrival', () => {
  const aimd = new AimdRate({ start: 10, max: 10, step: 1 });
  const t = succeed(aimd, 0, 10);
  assert.equal(aimd.rate, 9.8);
  assert.equal(aimd.rateLimited(t), 'early');
  assert.equal(aimd.rate, 9.8);
  assert.equal(aimd.rateLimited(t + 10), 'decreased', 'answers in a row: the limit is lower than the pace');
  assert.ok(Math.abs(aimd.rate - 9.8 * 0.85) < 1e-9);
});

test('an answer while probing cuts the pace; it climbs back under the refused rate and holds there, then probes again', () => {
  const aimd = new AimdRate({ start: 3, max: 20, step: 1 });
  let t = succeed(aimd, 0, 7); // about 10/s
  const refused = aimd.rate;
  assert.equal(aimd.rateLimited(t), 'decreased');
  assert.equal(aimd.limit, refused);
  assert.ok(Math.abs(aimd.rate - refused * 0.85) < 1e-9);
  for (let i = 0; i < 200; i++) aimd.succeeded(); // within the hold of 300 writes
  assert.ok(Math.abs(aimd.rate - refused * 0.98) < 1e-9, `held 2 % under the refused rate: ${aimd.rate} vs ${refused}`);
  assert.equal(aimd.rateLimited(t), 'early', 'a lone answer after many successes at the held pace changes nothing');
  for (let i = 0; i < 105; i++) aimd.succeeded(); // past 300 writes since the cut: probing again
  assert.ok(aimd.rate > refused, `probes above the refused rate after the hold: ${aimd.rate}`);
  assert.equal(aimd.rateLimited(t), 'decreased');
  const second = aimd.limit;
  t = succeed(aimd, t, 50); // ~500 writes
  assert.ok(aimd.rate <= second * 0.98 + 1e-9, 'a second refused probe holds twice as long (600 writes)');
  succeed(aimd, t, 15);
  assert.ok(aimd.rate > second * 0.98, 'and then probes again');
});

test('answers to requests sent before the cut do not cut again (one cut per overshoot)', () => {
  const aimd = new AimdRate({ start: 3, max: 20, step: 1 });
  const t = succeed(aimd, 0, 7);
  aimd.rateLimited(t, t - 200);
  const after = aimd.rate;
  assert.equal(aimd.rateLimited(t + 30, t - 100), 'stale');
  assert.equal(aimd.rate, after);
  assert.equal(aimd.rateLimited(t + 60, t + 10), 'decreased', 'sent after the cut: the limit is lower still');
});

test('never below a quarter of the safe rate; a limit left far behind is forgotten', () => {
  const aimd = new AimdRate({ start: 4, max: 20, step: 1 });
  for (let i = 0; i < 50; i++) aimd.rateLimited(i);
  assert.equal(aimd.rate, 1);
  // After the hold (at most 4,800 writes) the pace climbs past 1.1 × the refused rate, which then no longer holds it.
  succeed(aimd, 0, 3 * 3600);
  assert.equal(aimd.limit, Infinity);
  assert.equal(aimd.rate, 19.6);
});

test('once refused, the pace rises at most 1 % a write: a probe oversteps the refused rate by a little, not a step', () => {
  const aimd = new AimdRate({ start: 3, max: 20, step: 1 });
  aimd.succeeded();
  assert.ok(aimd.rate > 3.2, `before any answer a success adds step / rate (11 % at 3/s): ${aimd.rate}`);
  aimd.rateLimited(0);
  const refused = aimd.limit;
  let before = aimd.rate;
  for (let i = 0; i < 400; i++) {
    aimd.succeeded();
    assert.ok(aimd.rate <= before * 1.01 + 1e-9, `write ${i}: ${before} → ${aimd.rate}`);
    if (aimd.rate > refused) break;
    before = aimd.rate;
  }
  assert.ok(aimd.rate > refused && aimd.rate <= refused * 1.01 + 1e-9, `after the hold the probe passes the refused rate by ≤ 1 %: ${aimd.rate} vs ${refused}`);
});
