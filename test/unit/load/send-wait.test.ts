import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planSendWait, SLEEP_MIN_GAP_MS, SLEEP_SLICE_MS, SPIN_MAX_MS, SPIN_MS, TIMER_LEAD_MS, type SendWait } from '../../../src/load/send-wait.js';

const LOW_RATE_GAP = 10; // 100/s
const HIGH_RATE_GAP = 0.5; // 2 000/s

/** Follows the plans from `waitMs` before a send, each step taking exactly its time. */
function walk(waitMs: number, gapMs: number): { steps: SendWait[]; spentMs: number } {
  const steps: SendWait[] = [];
  let left = waitMs;
  for (let i = 0; i < 10_000; i++) {
    const plan = planSendWait(left, gapMs);
    steps.push(plan);
    if (plan.kind === 'send' || plan.kind === 'spin') return { steps, spentMs: waitMs - left };
    if (plan.kind === 'poll') throw new Error('a low rate never polls');
    left -= plan.ms;
  }
  throw new Error(`no end after 10 000 steps from ${waitMs} ms`);
}

describe('planSendWait', () => {
  it('sends when the time has come or passed', () => {
    for (const gap of [LOW_RATE_GAP, HIGH_RATE_GAP]) {
      assert.deepEqual(planSendWait(0, gap), { kind: 'send' });
      assert.deepEqual(planSendWait(-3.2, gap), { kind: 'send' });
    }
  });

  it('at a low rate, sets a whole-millisecond timer that wakes at least the lead before the send', () => {
    assert.deepEqual(planSendWait(9.7, LOW_RATE_GAP), { kind: 'timer', ms: 8 });
    fc.assert(
      fc.property(fc.double({ min: TIMER_LEAD_MS + 1, max: 100_000, noNaN: true }), fc.double({ min: SLEEP_MIN_GAP_MS, max: 1e6, noNaN: true }), (wait, gap) => {
        const plan = planSendWait(wait, gap);
        assert.equal(plan.kind, 'timer');
        const ms = (plan as { ms: number }).ms;
        assert.ok(Number.isInteger(ms) && ms >= 1);
        assert.ok(wait - ms >= TIMER_LEAD_MS && wait - ms < TIMER_LEAD_MS + 1, `wait ${wait}, timer ${ms}`);
      }),
    );
  });

  it('at a low rate, sleeps the last stretch in short slices and polls only the last SPIN_MS', () => {
    assert.deepEqual(planSendWait(1.6, LOW_RATE_GAP), { kind: 'sleep', ms: SLEEP_SLICE_MS });
    assert.deepEqual(planSendWait(0.4, LOW_RATE_GAP), { kind: 'sleep', ms: 0.4 - SPIN_MS });
    assert.deepEqual(planSendWait(SPIN_MS, LOW_RATE_GAP), { kind: 'spin' });
    assert.deepEqual(planSendWait(SPIN_MAX_MS, LOW_RATE_GAP), { kind: 'spin' });
    fc.assert(
      fc.property(fc.double({ min: SPIN_MAX_MS, max: TIMER_LEAD_MS + 1, noNaN: true, minExcluded: true, maxExcluded: true }), (wait) => {
        const plan = planSendWait(wait, LOW_RATE_GAP);
        if (plan.kind === 'timer') return; // just under TIMER_LEAD_MS + 1, a 1 ms timer still fits
        assert.equal(plan.kind, 'sleep');
        const ms = (plan as { ms: number }).ms;
        assert.ok(ms > 0 && ms <= SLEEP_SLICE_MS && ms <= wait - SPIN_MS + 1e-12, `wait ${wait}, sleep ${ms}`);
      }),
    );
  });

  it('at a low rate, the steps never overshoot the send and end within SPIN_MS of it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 5_000, noNaN: true }), (wait) => {
        const { steps, spentMs } = walk(wait, LOW_RATE_GAP);
        assert.ok(spentMs <= wait + 1e-9, `spent ${spentMs} of ${wait}`);
        assert.ok(wait - spentMs <= SPIN_MAX_MS + 1e-9, `left ${wait - spentMs} of ${wait} to poll`);
        // One timer at most, then a bounded number of slices.
        assert.ok(steps.filter((s) => s.kind === 'timer').length <= 1);
        assert.ok(steps.filter((s) => s.kind === 'sleep').length <= Math.ceil((TIMER_LEAD_MS + 1) / SLEEP_SLICE_MS));
      }),
    );
  });

  it('at a high rate, never blocks the thread: the timer as asked, then turns of the event loop', () => {
    assert.deepEqual(planSendWait(2.5, HIGH_RATE_GAP), { kind: 'timer', ms: 2.5 });
    assert.deepEqual(planSendWait(0.6, HIGH_RATE_GAP), { kind: 'poll' });
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 10_000, noNaN: true }), fc.double({ min: 0.001, max: SLEEP_MIN_GAP_MS, noNaN: true, maxExcluded: true }), (wait, gap) => {
        const plan = planSendWait(wait, gap);
        assert.ok(plan.kind === 'timer' || plan.kind === 'poll', `${plan.kind} at gap ${gap}`);
      }),
    );
  });

  it('treats a rate of zero (gap Infinity) as a low rate', () => {
    assert.deepEqual(planSendWait(50, Infinity), { kind: 'timer', ms: 49 });
  });
});
