/**
 * Replay, the pure part: the load engine's seconds and the replica series become measured seconds; measured
 * and simulated seconds are summarized the same way (one function, so the two columns mean the same); the
 * differences between them are put in words. No I/O, no clock.
 */
import { profileCount, profileDurationS, type Profile } from '../autoscale/profile.js';
import type { ReplicaSeries } from '../load/types.js';
import type { LoadSnapshot } from '../load/types.js';
import type { Slo } from '../tune/types.js';
import type { MeasuredSecond, ReplaySummary, SimulatedSecond } from './types.js';

/** One measured second against the SLO: its percentile over the limit, errors over the rate, or offered load and nothing served. */
export function secondOverSlo(s: LoadSnapshot, slo: Slo, offered: number): boolean {
  const done = s.completed + s.failed;
  if (done === 0) return offered >= 1;
  if (s.failed / done > slo.errorRate) return true;
  return s.latencyMs.count > 0 && s.latencyMs[slo.percentile] > slo.latencyMs;
}

/** The profile's seconds as measured; the engine's last second, while the requests still in flight finish after the profile's end, is left out so both columns cover the same seconds. */
export function measuredSeconds(snapshots: readonly LoadSnapshot[], replicas: ReplicaSeries | undefined, profile: Profile, slo: Slo): MeasuredSecond[] {
  const bySecond = new Map((replicas?.seconds ?? []).map((r) => [r.second, r]));
  const end = profileDurationS(profile);
  return snapshots
    .filter((s) => !s.warmup && s.second - 1 < end - 1e-9)
    .map((s) => {
      // The engine numbers measured seconds from 1 (second n ends n s into the load); here they start at 0, as the simulator's.
      const start = s.second - 1;
      const offered = profileCount(profile, start, start + 1);
      const r = bySecond.get(s.second);
      const lat = s.latencyMs.count > 0 ? s.latencyMs : null;
      return {
        second: start,
        offeredPerSecond: Math.round(offered * 100) / 100,
        // Completions in the second, those scheduled in warm-up included: what the server delivered.
        completedPerSecond: s.completed + (s.warmupCompleted ?? 0),
        p50Ms: lat ? lat.p50 : null,
        p95Ms: lat ? lat.p95 : null,
        p99Ms: lat ? lat.p99 : null,
        errors: s.failed,
        desired: r?.desired ?? 0,
        ready: r?.ready ?? 0,
        overSlo: secondOverSlo(s, slo, offered),
      };
    });
}

/**
 * Seconds over the SLO, replica-seconds, peak replicas and the time to scale up after the ramp starts (to the
 * first decision above the replicas at the ramp start, and to the first added replica ready).
 */
export function summarize(
  seconds: ReadonlyArray<Pick<MeasuredSecond | SimulatedSecond, 'second' | 'desired' | 'ready' | 'overSlo'>>,
  rampStartS: number | null,
): ReplaySummary {
  let over = 0;
  let replicaSeconds = 0;
  let peak = 0;
  for (const s of seconds) {
    if (s.overSlo) over++;
    replicaSeconds += s.desired;
    peak = Math.max(peak, s.desired);
  }
  let decision: number | null = null;
  let ready: number | null = null;
  if (rampStartS !== null) {
    const atRamp = seconds.find((s) => s.second >= rampStartS) ?? seconds[seconds.length - 1];
    if (atRamp) {
      for (const s of seconds) {
        if (s.second < rampStartS) continue;
        // The second whose end first shows it: the time is counted to the end of that second.
        if (decision === null && s.desired > atRamp.desired) decision = s.second + 1 - rampStartS;
        if (ready === null && s.ready > atRamp.ready) ready = s.second + 1 - rampStartS;
      }
    }
  }
  return { durationSeconds: seconds.length, secondsOverSlo: over, replicaSeconds, peakReplicas: peak, scaleUpDecisionS: decision, scaleUpReadyS: ready };
}

/** The bounds within which simulation and runtime are said to agree (the issue's: max(5 s, 30 %) over the SLO, 15 % replica-seconds). */
export const AGREEMENT = { overSloSeconds: 5, overSloShare: 0.3, replicaSecondsShare: 0.15, scaleUpSeconds: 5 } as const;

/** Where the simulation and the measurement differ beyond the bounds, one sentence each. */
export function differences(measured: ReplaySummary, simulated: ReplaySummary): string[] {
  const out: string[] = [];
  const overGap = Math.abs(measured.secondsOverSlo - simulated.secondsOverSlo);
  const overBound = Math.max(AGREEMENT.overSloSeconds, AGREEMENT.overSloShare * Math.max(measured.secondsOverSlo, simulated.secondsOverSlo));
  if (overGap > overBound) {
    out.push(
      `seconds over the SLO: measured ${measured.secondsOverSlo} s, simulated ${simulated.secondsOverSlo} s (${measured.secondsOverSlo > simulated.secondsOverSlo ? 'the simulation is optimistic' : 'the simulation is pessimistic'}; bound max(${AGREEMENT.overSloSeconds} s, ${AGREEMENT.overSloShare * 100} %))`,
    );
  }
  const rsGap = measured.replicaSeconds === 0 ? 0 : (simulated.replicaSeconds - measured.replicaSeconds) / measured.replicaSeconds;
  if (Math.abs(rsGap) > AGREEMENT.replicaSecondsShare) {
    out.push(`replica-seconds: measured ${measured.replicaSeconds}, simulated ${Math.round(simulated.replicaSeconds)} (${rsGap > 0 ? '+' : ''}${Math.round(rsGap * 100)} %; bound ±${AGREEMENT.replicaSecondsShare * 100} %)`);
  }
  if (measured.peakReplicas !== simulated.peakReplicas) out.push(`peak replicas: measured ${measured.peakReplicas}, simulated ${simulated.peakReplicas}`);
  const m = measured.scaleUpReadyS;
  const s = simulated.scaleUpReadyS;
  if ((m === null) !== (s === null)) {
    out.push(`scale-up after the ramp: ${m === null ? 'none measured' : `measured ready after ${m} s`}, ${s === null ? 'none simulated' : `simulated ready after ${s} s`}`);
  } else if (m !== null && s !== null && Math.abs(m - s) > AGREEMENT.scaleUpSeconds) {
    out.push(`time to the first added replica ready after the ramp starts: measured ${m} s, simulated ${s} s`);
  }
  return out;
}
