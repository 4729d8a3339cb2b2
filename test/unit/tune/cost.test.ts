/** Cost: the spec's price (its own, or a GPU list price × GPUs), money per setting, and the idle floor. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MdlError } from '../../../src/errors.js';
import { parseSpecText, resolveRaw } from '../../../src/spec/index.js';
import { costOf, formatMoney, idleCostOf, perMillionOutputTokens } from '../../../src/tune/cost.js';
import { poolWindows } from '../../../src/tune/windows.js';
import type { WindowResult } from '../../../src/tune/types.js';
import type { SimulationPoint } from '../../../src/tune/prove.js';

const FILE = 'mdl.config.yaml';
const BASE = 'name: llm\nimage: ghcr.io/acme/llm:1.0.0\n';

function resolve(text: string) {
  return resolveRaw(parseSpecText(text, FILE), { filepath: join('/specs', FILE), source: { filepath: FILE, prefix: [], text } });
}

function reject(text: string): MdlError {
  try {
    resolve(text);
  } catch (error) {
    assert.ok(error instanceof MdlError, `expected MdlError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`expected the spec to be rejected:\n${text}`);
}

describe('cost in the spec', () => {
  it('takes the spec’s own price', () => {
    assert.deepEqual(resolve(`${BASE}cost: { perReplicaHour: 4.10, currency: USD }\n`).cost, { perReplicaHour: 4.1, currency: 'USD', source: 'spec' });
  });

  it('prices a GPU product from the dated list-price table, times the GPUs per replica', () => {
    const one = resolve(`${BASE}cost: { gpu: A100-40GB }\n`).cost!;
    assert.equal(one.perReplicaHour, 4.1);
    assert.equal(one.currency, 'USD');
    assert.match(one.source, /list price of A100-40GB as of 2024-12/);
    const two = resolve(`${BASE}resources: { gpu: 2 }\ncost: { gpu: A100-40GB }\n`).cost!;
    assert.equal(two.perReplicaHour, 8.2);
    assert.match(two.source, /× 2 GPUs/);
  });

  it('lets the spec’s price override the list price', () => {
    assert.equal(resolve(`${BASE}cost: { gpu: H100, perReplicaHour: 2.5, currency: EUR }\n`).cost!.perReplicaHour, 2.5);
  });

  it('rejects a price without a currency, naming the line and what to write', () => {
    const e = reject(`${BASE}cost:\n  perReplicaHour: 4.10\n`);
    assert.match(e.message, /a price needs a currency/);
    assert.match(e.where ?? '', /^mdl\.config\.yaml:\d+:\d+ cost/);
    assert.match(e.hint ?? '', /currency: USD/);
  });

  it('rejects an unknown GPU product with the nearest one and the table’s date', () => {
    const e = reject(`${BASE}cost:\n  gpu: H10O\n`);
    assert.match(e.message, /no list price for GPU product "H10O"/);
    assert.equal(e.where, 'mdl.config.yaml:4:3 cost.gpu');
    assert.match(e.hint ?? '', /Did you mean "H100"\?/);
    assert.match(e.hint ?? '', /as of 2024-12/);
  });

  it('rejects a lowercase or made-up currency code', () => {
    const e = reject(`${BASE}cost: { perReplicaHour: 1, currency: usd }\n`);
    assert.match(e.message, /ISO 4217/);
  });
});

describe('cost of a setting', () => {
  const price = { perReplicaHour: 4, currency: 'USD', source: 'spec' };

  it('is replica-hours times the price', () => {
    assert.deepEqual(costOf(3, price), { replicaHours: 3, amount: 12 });
  });

  it('charges the floor for the time the fleet sits on it', () => {
    // One hour: the first half at the floor of 2, then 5 replicas.
    const series: SimulationPoint[] = Array.from({ length: 3600 }, (_, i) => ({
      second: i, trafficPerSecond: i < 1800 ? 10 : 100, replicas: i < 1800 ? 2 : 5, readyReplicas: i < 1800 ? 2 : 5, latencyMs: 50,
    }));
    const idle = idleCostOf(series, 2, price);
    assert.equal(idle.quietHours, 0.5);
    assert.equal(idle.amount, 4); // 2 replicas × ½ h × 4 USD
  });

  it('counts a coarser series by its step', () => {
    const series: SimulationPoint[] = Array.from({ length: 60 }, (_, i) => ({ second: i * 60, trafficPerSecond: 1, replicas: 1, readyReplicas: 1, latencyMs: 1 }));
    assert.equal(idleCostOf(series, 1, price).quietHours, 1);
  });

  it('keeps small amounts readable', () => {
    assert.equal(formatMoney(12.3, 'USD'), '12.30 USD');
    assert.equal(formatMoney(0.0123, 'USD'), '0.0123 USD');
  });

  it('prices a million output tokens from one replica’s token rate at capacity', () => {
    // 3.60 USD an hour over 1000 tokens/s = 3.6 million tokens an hour: 1.00 USD per million.
    assert.ok(Math.abs(perMillionOutputTokens(1000, { ...price, perReplicaHour: 3.6 })! - 1) < 1e-12);
    // 4 USD an hour over 50 tokens/s = 180 000 tokens an hour: 22.22 USD per million.
    assert.equal(formatMoney(perMillionOutputTokens(50, price)!, 'USD'), '22.22 USD');
    assert.equal(perMillionOutputTokens(0, price), null);
  });
});

describe('output tokens of pooled windows', () => {
  const window = (durationMs: number, outputTokensPerSecond?: number): WindowResult => ({
    durationMs, sent: 10, completed: 10, failed: 0, dropped: 0, completedPerSecond: 10, inFlightStart: 0, inFlightEnd: 0,
    latencyMs: { mean: 10, p50: 10, p90: 10, p95: 10, p99: 10, max: 10 },
    ...(outputTokensPerSecond === undefined ? {} : { outputTokensPerSecond }),
  });

  it('weights each window by its length', () => {
    // 1 s at 100 tokens/s and 3 s at 200: 700 tokens in 4 s.
    assert.equal(poolWindows([window(1000, 100), window(3000, 200)]).outputTokensPerSecond, 175);
  });

  it('has none when no window streamed tokens', () => {
    assert.equal('outputTokensPerSecond' in poolWindows([window(1000), window(1000)]), false);
  });
});
