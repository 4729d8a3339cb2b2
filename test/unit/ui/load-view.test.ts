import assert from 'node:assert/strict';
import { startLoadView } from '../../../src/ui/load-view.js';
import type { LoadViewConfig } from '../../../src/ui/load-state.js';
import { formatPlainLine } from '../../../src/ui/plain-line.js';
import { FakeTerminalOut, FakeTtyIn, lastValidFrame, stripAnsi } from './frames.js';
import { run } from './snapshots.js';

const config: LoadViewConfig = { url: 'http://127.0.0.1:1/', protocol: 'http', mode: { kind: 'rate', ratePerSecond: 50, arrival: 'constant' } };

describe('ui load view controller', () => {
  it('plain: one line per snapshot on the given stream, from the same state as the dashboard', async () => {
    const out = new FakeTerminalOut(false);
    const view = await startLoadView({ mode: 'plain', config, onStop: () => {}, stream: out as unknown as NodeJS.WriteStream });
    for (const s of run(3, { failedPerSecond: 1 })) view.snapshot(s);
    view.replica({ kind: 'replicas', timestampMs: 1, desired: 3, ready: 2 });
    await view.finish();
    assert.equal(out.writes.length, 3);
    assert.equal(out.writes[2], `${formatPlainLine({ ...view.store.getState(), scaling: { ...view.store.getState().scaling, known: false } })}\n`);
    assert.equal(out.writes[0], '[0s/20s] target 50/s sent 50/s · ok 49 · failed 1 · in flight 3 · p50 10 ms · p99 30 ms · http_503=1\n');
  });

  it('json: draws nothing', async () => {
    const out = new FakeTerminalOut(true);
    const view = await startLoadView({ mode: 'json', config, onStop: () => {}, stream: out as unknown as NodeJS.WriteStream });
    for (const s of run(2)) view.snapshot(s);
    await view.finish();
    assert.deepEqual(out.writes, []);
    assert.equal(view.store.getState().series.length, 2);
  });

  it('ink: draws on the given stream, q asks to stop, the final frame stays and raw mode is released', async () => {
    const out = new FakeTerminalOut(true);
    const stdin = new FakeTtyIn();
    let stops = 0;
    const view = await startLoadView({
      mode: 'ink',
      config,
      onStop: () => stops++,
      stream: out as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      env: { NO_COLOR: '1' },
      maxFps: 1000,
    });
    for (const s of run(3)) view.snapshot(s);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(stdin.rawMode, true);
    stdin.type('x');
    stdin.type('q');
    assert.equal(stops, 1);
    view.stopping();
    await view.finish();
    assert.equal(stdin.rawMode, false);
    const text = lastValidFrame(out.writes.map(stripAnsi));
    assert.match(text, /Throughput sent 50\/s of 50\/s · completed 50\/s/);
    assert.match(text, /stopping/);
  });

  it('ink without a TTY on stdin: no raw mode, no key hint, no failure', async () => {
    const out = new FakeTerminalOut(true);
    const stdin = new FakeTtyIn();
    stdin.isTTY = false;
    const view = await startLoadView({ mode: 'ink', config, onStop: () => {}, stream: out as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, maxFps: 1000 });
    for (const s of run(2)) view.snapshot(s);
    await new Promise((r) => setTimeout(r, 30));
    await view.finish();
    assert.equal(stdin.rawMode, false);
    assert.doesNotMatch(stripAnsi(out.writes.join('')), /q stop/);
  });
});
