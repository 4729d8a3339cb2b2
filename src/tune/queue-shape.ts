/**
 * The shape of a latency-vs-load curve, from queueing theory: N servers of exponential service time S.
 * Used by the capacity search as a prior for where the SLO crossing lies, always rescaled to the
 * latencies actually measured — so only the shape (flat, then rising towards saturation) is assumed.
 * Pure and deterministic.
 *
 * - Open loop (rate x): an M/M/N queue. The response-time tail is known in closed form (Erlang C):
 *   P(T > t) = (1 − C) e^(−μt) + C (θ e^(−μt) − μ e^(−θt)) / (θ − μ), θ = Nμ − x.
 * - Closed loop (c clients, no think time): by the arrival theorem a returning client finds the other
 *   c − 1 in the system, so beyond N it waits for c − N completions at rate N/S:
 *   T = Erlang(c − N, N/S) + Exp(S).
 */

export interface QueueShape {
  /** Servers working at once (the parallelism the server shows: saturation throughput × service time). */
  servers: number;
  /** Mean service time, ms. */
  serviceMs: number;
}

/** The q-quantile (0 < q < 1) of the response time in ms at `level`; Infinity at or past saturation. */
export function shapePercentileMs(axis: 'rate' | 'concurrency', level: number, shape: QueueShape, q: number): number {
  const mu = 1000 / shape.serviceMs;
  const n = Math.max(1, Math.round(shape.servers));
  const tail =
    axis === 'rate'
      ? (t: number) => openTail(level, mu, n, t)
      : (t: number) => closedTail(Math.max(0, Math.round(level) - n), n * mu, mu, t);
  if (axis === 'rate' && level >= n * mu) return Infinity;
  let lo = 0;
  let hi = 1 / mu;
  for (let i = 0; i < 200 && tail(hi) > 1 - q; i++) hi *= 2;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  return hi * 1000;
}

/** P(T > t) in an M/M/n queue at arrival rate `rate` and service rate `mu` per server. */
function openTail(rate: number, mu: number, n: number, t: number): number {
  const a = rate / mu;
  const rho = a / n;
  // Erlang B by its stable recursion, then Erlang C: the chance an arrival waits.
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  const c = b / (1 - rho * (1 - b));
  const theta = n * mu - rate;
  const waited = Math.abs(theta - mu) < 1e-9 ? (1 + mu * t) * Math.exp(-mu * t) : (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t)) / (theta - mu);
  return (1 - c) * Math.exp(-mu * t) + c * waited;
}

/** P(E + Y > t) for E ~ Erlang(k, r) (E = 0 when k = 0) and Y ~ Exp(mu), r ≥ mu. */
function closedTail(k: number, r: number, mu: number, t: number): number {
  if (k === 0) return Math.exp(-mu * t);
  // One server: r = mu, and the sum is Erlang(k + 1, mu).
  if (r - mu < 1e-9 * r) return Math.exp(logPoissonCdf(k, mu * t));
  // ∫ f_E(w) e^(−mu (t − w)) dw over [0, t] = e^(−mu t) (r / (r − mu))^k P(Erlang(k, r − mu) ≤ t).
  const second = Math.exp(k * Math.log(r / (r - mu)) - mu * t + logPoissonUpper(k, (r - mu) * t));
  return Math.min(1, Math.exp(logPoissonCdf(k - 1, r * t)) + second);
}

/** ln P(Poisson(a) ≤ m). */
function logPoissonCdf(m: number, a: number): number {
  const terms: number[] = [];
  for (let j = 0; j <= m; j++) terms.push(logPoissonTerm(j, a));
  return logSumExp(terms);
}

/** ln P(Poisson(a) ≥ k), summed upwards over the terms that matter. */
function logPoissonUpper(k: number, a: number): number {
  const terms: number[] = [];
  const end = Math.max(k, Math.ceil(a)) + Math.ceil(12 * Math.sqrt(a + 1)) + 30;
  for (let j = k; j <= end; j++) terms.push(logPoissonTerm(j, a));
  return logSumExp(terms);
}

function logPoissonTerm(j: number, a: number): number {
  if (a <= 0) return j === 0 ? 0 : -Infinity;
  return -a + j * Math.log(a) - logFactorial(j);
}

const logFactorials: number[] = [0];
function logFactorial(j: number): number {
  for (let i = logFactorials.length; i <= j; i++) logFactorials.push(logFactorials[i - 1]! + Math.log(i));
  return logFactorials[j]!;
}

function logSumExp(xs: number[]): number {
  const max = Math.max(...xs);
  if (!Number.isFinite(max)) return max;
  return max + Math.log(xs.reduce((a, x) => a + Math.exp(x - max), 0));
}

export const QUANTILE_OF = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as const;
