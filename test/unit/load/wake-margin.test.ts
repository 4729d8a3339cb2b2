import assert from 'node:assert/strict';
import { WakeMargin } from '../../../src/load/wake-margin.js';

const options = { window: 16, quantile: 0.9, initialMs: 0.5, maxMs: 2, every: 4 };

describe('WakeMargin', () => {
  it('starts at the initial margin and keeps it until enough wake-ups are seen', () => {
    const m = new WakeMargin(options);
    assert.equal(m.ms, 0.5);
    for (let i = 0; i < 3; i++) m.observe(0.1);
    assert.equal(m.ms, 0.5);
    m.observe(0.1);
    assert.equal(m.ms, 0.1);
  });

  it('covers the 90th percentile of the remembered overshoots', () => {
    const m = new WakeMargin(options);
    // 16 overshoots 0.1 … 1.6 ms in a shuffled order: the 90th percentile is the 15th smallest, 1.5.
    for (const i of [7, 3, 15, 1, 9, 12, 5, 16, 2, 11, 8, 14, 4, 10, 13, 6]) m.observe(i / 10);
    assert.equal(m.ms, 1.5);
  });

  it('forgets overshoots older than its window', () => {
    const m = new WakeMargin(options);
    for (let i = 0; i < 16; i++) m.observe(1.8);
    assert.equal(m.ms, 1.8);
    for (let i = 0; i < 16; i++) m.observe(0.2);
    assert.equal(m.ms, 0.2);
  });

  it('stays within [0, maxMs] and ignores what is not a number', () => {
    const m = new WakeMargin(options);
    for (let i = 0; i < 4; i++) m.observe(-0.4);
    assert.equal(m.ms, 0, 'a timer that fires early needs no margin');
    for (let i = 0; i < 16; i++) m.observe(30);
    assert.equal(m.ms, 2, 'a stalled loop must not turn the pump into a spin');
    m.observe(Number.NaN);
    m.observe(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 16; i++) m.observe(0.3);
    assert.equal(m.ms, 0.3);
  });
});
