import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FairSlots } from '../../src/activities/fair-slots';

/** A job that finishes when the test says so, recording when it started. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { done, open };
}

test('a transfer alone uses every slot; a newcomer gets every other freed slot', async () => {
  const slots = new FairSlots(2);
  const signal = new AbortController().signal;
  const started: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();
  const job = (key: string, name: string) =>
    slots.run(key, signal, async () => {
      started.push(name);
      const g = gate();
      gates.set(name, g);
      await g.done;
    });
  const all = [job('big', 'b1'), job('big', 'b2'), job('big', 'b3'), job('big', 'b4'), job('big', 'b5')];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['b1', 'b2'], 'the big transfer alone fills both slots');
  all.push(job('small', 's1'), job('small', 's2'));
  gates.get('b1')!.open();
  await new Promise((r) => setImmediate(r));
  gates.get('b2')!.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['b1', 'b2', 'b3', 's1'], 'turns alternate between the transfers that wait');
  for (const name of ['b3', 's1']) gates.get(name)!.open();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started.slice(4).sort(), ['b4', 's2']);
  for (const name of ['b4', 's2']) gates.get(name)!.open();
  await new Promise((r) => setImmediate(r));
  gates.get('b5')!.open();
  await Promise.all(all);
});

test('a cancelled waiter leaves the queue and gives its turn away', async () => {
  const slots = new FairSlots(1);
  const first = gate();
  const holding = slots.run('a', new AbortController().signal, () => first.done);
  const controller = new AbortController();
  const cancelled = slots.run('b', controller.signal, async () => assert.fail('must not run'));
  let ran = false;
  const next = slots.run('c', new AbortController().signal, async () => void (ran = true));
  controller.abort(new Error('cancelled'));
  await assert.rejects(cancelled, /cancelled/);
  first.open();
  await holding;
  await next;
  assert.equal(ran, true);
});
