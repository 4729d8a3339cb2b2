/**
 * Simulator speed: a week of 15 s steps for 100 candidate configurations, against a trivial baseline loop over
 * the same steps in the same run (the machine is shared, so the ratio is what carries across runs).
 * Run: npm run bench:simulate
 */
import { generateTraffic, parseProfileSpec } from '../../src/autoscale/traffic.js';
import { hpaSpecFor, prepareCapacity, simulate, type ScalingSettings } from '../../src/autoscale/simulator.js';

const STEP_MS = 15_000;
const CONFIGS = 100;
const REPEATS = 5;

const traffic = generateTraffic(parseProfileSpec('diurnal,baseline=20,peak=400,duration=7d'), STEP_MS, 'diurnal');
const capacity = prepareCapacity({
  axis: 'concurrency',
  points: [
    { loadPerReplica: 1, latencyMs: 80 },
    { loadPerReplica: 2, latencyMs: 90 },
    { loadPerReplica: 4, latencyMs: 120 },
    { loadPerReplica: 8, latencyMs: 200 },
    { loadPerReplica: 12, latencyMs: 320 },
    { loadPerReplica: 16, latencyMs: 520 },
  ],
});

const candidates: ScalingSettings[] = [];
for (let i = 0; i < CONFIGS; i++) {
  const metric = (['concurrency', 'rps', 'cpu'] as const)[i % 3]!;
  const target = metric === 'cpu' ? 40 + (i % 10) * 5 : metric === 'rps' ? 20 + (i % 10) * 4 : 3 + (i % 10);
  candidates.push({
    minReplicas: 1 + (i % 3),
    maxReplicas: 60,
    metric,
    target,
    ...(i % 2 === 0 ? { behavior: { scaleDown: { stabilizationWindowSeconds: 60 + (i % 5) * 60 } } } : {}),
  });
}

function runAll(): number {
  let checksum = 0;
  for (const c of candidates) {
    const r = simulate(
      { hpa: hpaSpecFor(c), signal: c.metric, sloLatencyMs: 300, podStartMs: 90_000, recordSteps: false },
      traffic,
      capacity,
    );
    checksum += r.totals.replicaHours;
  }
  return checksum;
}

/** The same number of steps doing the least a simulator must: read the rate, update a queue, sum. */
function baseline(): number {
  let checksum = 0;
  const rates = traffic.ratesPerSecond;
  for (let c = 0; c < CONFIGS; c++) {
    let backlog = 0;
    let replicas = 2;
    for (let i = 0; i < rates.length; i++) {
      const demand = rates[i]! * 15 + backlog;
      const cap = replicas * 60 * 15;
      backlog = demand > cap ? demand - cap : 0;
      if (i % 4 === 0) replicas = Math.max(1, Math.ceil(rates[i]! / 50));
      checksum += replicas;
    }
  }
  return checksum;
}

/** Wall time and this process's CPU time: on a shared machine the CPU time is what the simulator costs. */
function time(fn: () => number): { ms: number; cpuMs: number; checksum: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const checksum = fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, checksum };
}

// Warm up both, then take the best of REPEATS (least disturbed by other work on the machine).
runAll();
baseline();
let best = Infinity;
let bestCpu = Infinity;
let bestBase = Infinity;
for (let r = 0; r < REPEATS; r++) {
  const sim = time(runAll);
  best = Math.min(best, sim.ms);
  bestCpu = Math.min(bestCpu, sim.cpuMs);
  bestBase = Math.min(bestBase, time(baseline).ms);
}
const steps = traffic.ratesPerSecond.length;
const result = {
  configurations: CONFIGS,
  stepsPerConfiguration: steps,
  stepSeconds: STEP_MS / 1000,
  simulatedDays: (steps * STEP_MS) / 86_400_000,
  simulatorMs: Math.round(best * 10) / 10,
  simulatorCpuMs: Math.round(bestCpu * 10) / 10,
  baselineMs: Math.round(bestBase * 10) / 10,
  ratioToBaseline: Math.round((best / bestBase) * 10) / 10,
  nsPerStep: Math.round((best * 1e6) / (CONFIGS * steps)),
  goalMs: 1000,
  // The machine is shared: judge the goal on this process's CPU time, and report the wall time beside it.
  passed: bestCpu < 1000,
  loadAverage1m: (await import('node:os')).loadavg()[0],
};
console.log(JSON.stringify(result, null, 2));
if (!result.passed) process.exitCode = 1;
