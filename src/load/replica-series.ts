/**
 * The replicas behind a load test, second by second, for the LoadResult: what a replica source (the local
 * runtime, or a cluster being watched) said while the load ran, lined up with the engine's per-second
 * snapshots, so replica-seconds and time to scale can be computed from the result file alone. Pure: events
 * and snapshots in, a series out.
 */
import type { ReplicaEvent } from './replica-events.js';
import type { LoadSnapshot, ReplicaScaling, ReplicaSecond, ReplicaSeries } from './types.js';

interface State {
  atMs: number;
  desired: number;
  ready: number;
}

/** Collects replica events as they come; `seriesFor` lines them up with the measured seconds. */
export class ReplicaTracker {
  private readonly states: State[] = [];
  private readonly scaling: Array<{ atMs: number; from: number; to: number; reason?: string; readyAfterMs?: number }> = [];

  constructor(readonly source: ReplicaSeries['source']) {}

  observe(e: ReplicaEvent): void {
    if (e.kind === 'replicas') {
      const last = this.states[this.states.length - 1];
      // Events arrive in time order from one source; one that is older is a late duplicate.
      if (last && e.timestampMs < last.atMs) return;
      this.states.push({ atMs: e.timestampMs, desired: e.desired, ready: e.ready });
    } else if (e.kind === 'scaling') {
      if (this.scaling.some((s) => s.atMs === e.timestampMs)) return;
      this.scaling.push({ atMs: e.timestampMs, from: e.fromReplicas, to: e.toReplicas, ...(e.reason ? { reason: e.reason } : {}) });
    } else if (e.kind === 'scaled-ready') {
      const s = this.scaling.find((x) => x.atMs === e.scalingTimestampMs);
      if (s) s.readyAfterMs = e.readyAfterMs;
    }
  }

  get seen(): boolean {
    return this.states.length > 0;
  }

  /** The measured seconds' replicas (the state last reported by the end of each second); undefined without any report. */
  seriesFor(snapshots: readonly LoadSnapshot[]): ReplicaSeries | undefined {
    if (this.states.length === 0) return undefined;
    const measured = snapshots.filter((s) => !s.warmup);
    const seconds: ReplicaSecond[] = [];
    let j = -1;
    for (const s of measured) {
      while (j + 1 < this.states.length && this.states[j + 1]!.atMs <= s.timestampMs) j++;
      // Before the first report, the first report's state stood (the source reports within a second).
      const st = this.states[Math.max(j, 0)]!;
      seconds.push({ second: s.second, desired: st.desired, ready: st.ready });
    }
    const zero = measured[0] ? measured[0].timestampMs - measured[0].second * 1000 : this.states[0]!.atMs;
    return {
      source: this.source,
      seconds,
      replicaSeconds: seconds.reduce((a, x) => a + x.desired, 0),
      readyReplicaSeconds: seconds.reduce((a, x) => a + x.ready, 0),
      peakReplicas: seconds.reduce((a, x) => Math.max(a, x.desired), 0),
      scalingEvents: this.scaling.map((s) => ({
        atSecond: Math.round((s.atMs - zero) / 100) / 10,
        from: s.from,
        to: s.to,
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.readyAfterMs !== undefined ? { readyAfterMs: Math.round(s.readyAfterMs) } : {}),
      })),
    };
  }
}
