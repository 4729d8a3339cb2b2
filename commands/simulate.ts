import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag } from '../src/cli/flags.js';
import type { SimulationReport } from '../src/autoscale/compare.js';

export default class Simulate extends MdlCommand<typeof Simulate> {
  static override description =
    "What-if for autoscaling: replay a traffic profile against a measured capacity curve through the real HPA algorithm, for the spec's scaling settings and any overrides, and compare time over SLO, dropped load, replica-hours and peak replicas";

  static override examples = [
    '<%= config.bin %> simulate --profile diurnal,peak=400 --capacity capacity.json',
    '<%= config.bin %> simulate --traffic last-week.csv --from tune-result.json --target 6 --max 20',
    '<%= config.bin %> simulate --profile spike,baseline=20,peak=400,at=30m --capacity curve.csv --cold-start 3m --json',
  ];

  static override flags = {
    traffic: Flags.string({ description: 'CSV of time,rate (seconds from start or ISO time, requests per second)', exclusive: ['profile'], helpGroup: 'INPUT' }),
    profile: Flags.string({
      exclusive: ['traffic'],
      description: 'Generated traffic: steady,rate=R | diurnal,peak=P[,baseline=B,peakHour=H] | spike,baseline=B,peak=P[,at=T,rise=T,hold=T] | ramp,from=A,to=B[,over=T]; all take duration=T',
      helpGroup: 'INPUT',
    }),
    capacity: Flags.string({ description: 'Capacity curve: JSON {axis, points:[{loadPerReplica, latencyMs, errorRate?}]} or CSV "concurrency|rate,latencyMs[,errorRate]"', exclusive: ['from'], helpGroup: 'INPUT' }),
    from: Flags.string({ description: 'A TuneResult JSON (mdl tune --json): its capacity curve and cold start', exclusive: ['capacity'], helpGroup: 'INPUT' }),
    min: Flags.integer({ description: 'What-if: minReplicas', helpGroup: 'WHAT-IF' }),
    max: Flags.integer({ description: 'What-if: maxReplicas', helpGroup: 'WHAT-IF' }),
    metric: Flags.string({ description: 'What-if: scaling metric', options: ['concurrency', 'rps', 'cpu'], helpGroup: 'WHAT-IF' }),
    target: Flags.string({ description: 'What-if: per-replica target (in flight, rps, or CPU %)', helpGroup: 'WHAT-IF' }),
    'scale-up-window': durationFlag({ zero: true, description: 'What-if: scale-up stabilization window (e.g. 0s, 1m)', helpGroup: 'WHAT-IF' }),
    'scale-down-window': durationFlag({ zero: true, description: 'What-if: scale-down stabilization window (e.g. 5m)', helpGroup: 'WHAT-IF' }),
    'cold-start': durationFlag({ zero: true, description: "Pod created → Ready (default: the tune result's, else the spec's startup worst case)", helpGroup: 'MODEL' }),
    slo: durationFlag({ description: "Latency SLO (default: the spec's slo.p95, else p99, p90, p50)", helpGroup: 'MODEL' }),
    'sync-period': durationFlag({ description: 'HPA sync period (default 15s)', helpGroup: 'MODEL' }),
    'metric-window': durationFlag({ description: 'Metric averaging window (default 30s for cpu, 60s otherwise)', helpGroup: 'MODEL' }),
    'metric-lag': durationFlag({ zero: true, description: 'Age of the newest sample the HPA reads (default 15s)', helpGroup: 'MODEL' }),
    step: durationFlag({ description: 'Simulation step (default 15s; the sync period must be a multiple)', helpGroup: 'MODEL' }),
    initial: Flags.integer({ description: 'Replicas at the start (default minReplicas)', helpGroup: 'MODEL' }),
  };

  public async run(): Promise<SimulationReport> {
    const [{ runSimulate }, { formatWhatIf }] = await Promise.all([import('../src/services/simulate.js'), import('../src/autoscale/compare.js')]);
    const f = this.flags;
    const target = f.target === undefined ? undefined : Number(f.target);
    if (target !== undefined && !(target > 0)) {
      const { badInput } = await import('../src/errors.js');
      throw badInput(`--target ${f.target} is not a positive number`, { where: '--target' });
    }
    const report = await runSimulate(
      {
        cwd: process.cwd(),
        ...(f.config !== undefined ? { configPath: f.config } : {}),
        ...(f.env !== undefined ? { env: f.env } : {}),
        traffic: f.traffic,
        profile: f.profile,
        capacity: f.capacity,
        from: f.from,
        min: f.min,
        max: f.max,
        metric: f.metric,
        target,
        scaleUpWindow: f['scale-up-window'],
        scaleDownWindow: f['scale-down-window'],
        coldStart: f['cold-start'],
        slo: f.slo,
        syncPeriod: f['sync-period'],
        metricWindow: f['metric-window'],
        metricLag: f['metric-lag'],
        step: f.step,
        initial: f.initial,
      },
      () => this.loadSpec(),
    );
    this.note(formatWhatIf(report));
    return report;
  }
}
