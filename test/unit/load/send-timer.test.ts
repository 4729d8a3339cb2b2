import assert from 'node:assert/strict';
import { SendTimer } from '../../../src/load/send-timer.js';
import { WakeMargin } from '../../../src/load/wake-margin.js';

/** A clock the test sets by hand, so that what the timer computes does not depend on the machine. */
function scripted() {
  const clock = { t: 0, now: () => clock.t };
  return clock;
}

/** Remembers every overshoot it is told, with a fixed margin. */
class RecordingMargin extends WakeMargin {
  readonly seen: number[] = [];
  constructor(ms: number) {
    super({ window: 1, quantile: 1, initialMs: ms, maxMs: ms, every: Number.MAX_SAFE_INTEGER });
  }
  override observe(overshootMs: number): void {
    this.seen.push(overshootMs);
  }
}

/** A fire() callback to await. */
function firing() {
  let fired = 0;
  let resolve: () => void = () => {};
  const next = new Promise<void>((r) => (resolve = r));
  return {
    fire: () => {
      fired++;
      resolve();
    },
    next,
    count: () => fired,
  };
}

describe('SendTimer', () => {
  it('aims the timer a margin early and tells the margin how late it woke', async () => {
    const clock = scripted();
    const margin = new RecordingMargin(0.5);
    const f = firing();
    const timer = new SendTimer(clock.now, f.fire, margin);
    timer.at(12.7); // delay 12.2 → Node waits 12 whole ms
    clock.t = 12.45; // what the clock reads when the timer fires
    await f.next;
    assert.deepEqual(margin.seen.map((x) => Math.round(x * 1000) / 1000), [0.45], 'fired − set − whole-ms delay');
  });

  it('reaim sets the timer again from the clock at that moment', async () => {
    const clock = scripted();
    const margin = new RecordingMargin(0.5);
    const f = firing();
    const timer = new SendTimer(clock.now, f.fire, margin);
    timer.at(30); // at 0: delay 29.5 → 29
    clock.t = 5.6;
    timer.reaim(); // at 5.6: delay 23.9 → 23
    clock.t = 30.2; // what the clock reads when the timer fires
    await f.next;
    assert.equal(f.count(), 1, 'the first timer was cleared');
    // From the re-aim: 30.2 − 5.6 − 23 = 1.6 (from the first arming it would be 30.2 − 0 − 29 = 1.2).
    assert.deepEqual(margin.seen.map((x) => Math.round(x * 1000) / 1000), [1.6]);
  });

  it('holds the margin to a quarter of the gap between sends, and keeps it when called again for the same send', async () => {
    const clock = scripted();
    const margin = new RecordingMargin(1.5);
    let f = firing();
    const timer = new SendTimer(clock.now, () => f.fire(), margin);
    timer.at(10); // first send of the schedule: the whole margin, delay 8.5 → 8
    clock.t = 8.2;
    await f.next;
    f = firing();
    timer.at(12); // 2 ms after the last: margin 0.5 (not 1.5), delay 3.3 → 3
    clock.t = 11.4;
    await f.next;
    // 11.4 − 8.2 − 3 = 0.2; with the whole margin it would be 11.4 − 8.2 − 2 = 1.2.
    f = firing();
    timer.at(12); // the same send again (an early wake-up): still margin 0.5, delay 12 − 11.4 − 0.5 < 1, so no timer
    await f.next;
    assert.deepEqual(margin.seen.map((x) => Math.round(x * 1000) / 1000), [0.2, 0.2]);
  });

  it('within the margin plus a millisecond of the send, waits turn by turn without a timer', async () => {
    const clock = scripted();
    const margin = new RecordingMargin(0.5);
    const f = firing();
    const timer = new SendTimer(clock.now, f.fire, margin);
    timer.at(1.4); // delay 0.9 < 1: setImmediate
    await f.next;
    assert.equal(f.count(), 1);
    assert.deepEqual(margin.seen, [], 'no timer, so no overshoot to learn from');
    timer.reaim(); // nothing pending: no effect
    await new Promise((r) => setImmediate(r));
    assert.equal(f.count(), 1);
  });

  it('cancel stops a pending wake-up of either kind', async () => {
    const clock = scripted();
    let fired = 0;
    const timer = new SendTimer(clock.now, () => fired++, new RecordingMargin(0.5));
    timer.at(5);
    timer.cancel();
    timer.at(0.2);
    timer.cancel();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fired, 0);
  });
});
