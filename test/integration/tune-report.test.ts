import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { renderTuneReport } from '../../src/report/html/tune-report.js';
import { runTune } from '../../src/tune/run-tune.js';
import { sampleTuneOptions, sampleTuneResult } from '../support/tune-fixtures.js';
import { sampleVerifiedTuneResult } from '../support/replay-fixtures.js';

const run = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

describe('report/html tune report in headless Chromium', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    assert.ok(existsSync(CHROMIUM), `Chromium is needed for this test: apt-get install -y chromium, or set CHROMIUM=/path`);
    dir = mkdtempSync(join(tmpdir(), 'mdl-report-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const chromium = (args: string[]) =>
    run(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--enable-logging=stderr',
        '--v=0',
        ...args,
      ],
      { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
    );

  it('is self-contained: no scripts, no external resources', async () => {
    const html = renderTuneReport(await sampleTuneResult());
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
    const urls = html.match(/https?:\/\/[^\s"'<]+/g) ?? [];
    assert.deepEqual(
      [...new Set(urls)].filter((u) => u !== 'http://www.w3.org/2000/svg' && !u.startsWith('http://127.0.0.1')),
      [],
    );
  });

  it('renders three charts, the SLO line, the knee and the recommendation, without console errors', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, renderTuneReport(await sampleTuneResult()));
    const { stdout: dom, stderr } = await chromium(['--dump-dom', `file://${file}`]);
    assert.equal((dom.match(/<svg /g) ?? []).length, 3);
    assert.match(dom, /SLO p95 &lt; 300 ms/);
    assert.match(dom, /knee 12/);
    assert.match(dom, /target per replica/);
    assert.match(dom, /Settings tried/);
    assert.match(dom, /<td>chosen<\/td>/);
    assert.doesNotMatch(dom, /cost \(/, 'no price, no money column');
    assert.doesNotMatch(stderr, /CONSOLE|Uncaught|ERR_FILE|net::ERR/);
    const png = join(dir, 'report.png');
    await chromium(['--window-size=1000,1900', `--screenshot=${png}`, `file://${file}`]);
    const bytes = readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    assert.ok(bytes.length > 20_000, 'a blank page compresses far smaller');
  });

  it('with a price, shows money per setting beside replica-hours and the idle floor', async () => {
    const price = { perReplicaHour: 2, currency: 'EUR', source: 'spec' };
    const result = await runTune({ ...sampleTuneOptions(), price });
    const file = join(dir, 'report-cost.html');
    writeFileSync(file, renderTuneReport(result));
    const { stdout: dom } = await chromium(['--dump-dom', `file://${file}`]);
    assert.match(dom, /<th>cost \(EUR\)<\/th>/);
    const chosen = result.simulation!.recommended;
    assert.ok(chosen.replicaHours > 0);
    // The chosen row: its replica-hours, then that many hours at 2 EUR.
    const hours = /<tr><td>recommended \(chosen\)<\/td><td>[^<]*<\/td><td>([\d.]+)<\/td><td>\d+<\/td><td>([\d.]+) EUR<\/td><\/tr>/.exec(dom);
    assert.ok(hours, 'the chosen row has a cost cell');
    assert.ok(Math.abs(Number(hours[2]) - 2 * Number(hours[1])) < 0.02, `${hours[2]} EUR for ${hours[1]} replica-hours at 2 EUR`);
    assert.match(dom, /Cost: 2\.00 EUR per replica-hour \(spec\)/);
    assert.match(dom, /its floor of \d+ replicas during [\d.]+ quiet minutes is [\d.]+ EUR/);
    assert.doesNotMatch(dom, /output tokens/, 'no tokens measured, no price per token');
  });

  it('for a token-streaming target, the price of a million output tokens', async () => {
    const price = { perReplicaHour: 2, currency: 'EUR', source: 'spec' };
    const result = await runTune({ ...sampleTuneOptions(), price });
    const file = join(dir, 'report-tokens.html');
    writeFileSync(file, renderTuneReport({ ...result, cost: { ...result.cost!, perMillionOutputTokens: 1.5 } }));
    const { stdout: dom } = await chromium(['--dump-dom', `file://${file}`]);
    assert.match(dom, /one replica streams a million output tokens for 1\.50 EUR/);
  });

  it('with --verify: measured and simulated replicas and latency on the same axes, and the two summaries', async () => {
    const file = join(dir, 'verified.html');
    const result = await sampleVerifiedTuneResult();
    writeFileSync(file, renderTuneReport(result));
    const { stdout: dom, stderr } = await chromium(['--dump-dom', `file://${file}`]);
    assert.equal((dom.match(/<svg /g) ?? []).length, 5, 'three charts of the search, two of the replay');
    assert.match(dom, /Verification by replay/);
    assert.match(dom, /chosen: replicas, measured vs simulated/);
    for (const name of ['measured replicas (right axis)', 'simulated replicas (right axis)', 'measured p95', 'simulated']) assert.ok(dom.includes(`>${name}<`), name);
    const run = result.verification!.runs[0]!;
    assert.match(dom, new RegExp(`<td>replica-seconds</td><td>${run.measured.summary.replicaSeconds}</td><td>${run.simulated.summary.replicaSeconds}</td>`));
    assert.doesNotMatch(stderr, /CONSOLE|Uncaught|ERR_FILE|net::ERR/);
  });
});
