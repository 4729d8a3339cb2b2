/**
 * The knee of the latency-vs-load curve: where latency stops being flat and starts to climb. Kneedle
 * (Satopää et al., 2011) for a convex increasing curve: normalise both axes to [0, 1] and take the point
 * farthest below the diagonal. Pure.
 */
import type { CapacityPoint, PercentileName } from './types.js';

export interface Knee {
  level: number;
  latencyMs: number;
  index: number;
}

export interface KneeOptions {
  percentile: PercentileName;
  /** Latencies above this are clipped, so one runaway (backlogged) step does not flatten the rest. */
  clipLatencyMs?: number;
}

export function findKnee(points: readonly Pick<CapacityPoint, 'level' | 'latencyMs'>[], options: KneeOptions): Knee | null {
  const pts = [...points]
    .filter((p) => Number.isFinite(p.level) && Number.isFinite(p.latencyMs[options.percentile]))
    .sort((a, b) => a.level - b.level);
  if (pts.length < 3) return null;
  const clip = options.clipLatencyMs ?? Infinity;
  const xs = pts.map((p) => p.level);
  const ys = pts.map((p) => Math.min(p.latencyMs[options.percentile], clip));
  const [x0, x1] = [xs[0]!, xs.at(-1)!];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x1 === x0 || y1 === y0) return null;
  let best = -Infinity;
  let bestIndex = -1;
  for (let i = 0; i < pts.length; i++) {
    const d = (xs[i]! - x0) / (x1 - x0) - (ys[i]! - y0) / (y1 - y0);
    if (d > best) {
      best = d;
      bestIndex = i;
    }
  }
  // A straight or concave curve has no knee: nothing lies meaningfully below the diagonal.
  if (best < 0.05 || bestIndex <= 0 || bestIndex >= pts.length - 1) return null;
  const p = pts[bestIndex]!;
  return { level: p.level, latencyMs: p.latencyMs[options.percentile], index: bestIndex };
}
