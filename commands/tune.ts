import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { durationFlag, endpointArg, rateFlag } from '../src/cli/flags.js';
import { kubeFlags } from '../src/cli/kube-flags.js';
import { runTuneCommand, runTuneRestore, type TuneCommandFlags } from '../src/services/tune.js';
import type { RestoreResult } from '../src/tune/cluster-target.js';
import { tuneResultJson, type TuneResultJson } from '../src/tune/result.js';
import type { TuneCheckResult } from '../src/tune/check.js';

export default class Tune extends MdlCommand<typeof Tune> {
  static override description =
    'Find the per-replica capacity under the SLO, recommend the autoscaler settings (metric, target, min/max replicas, behaviour), prove them on a simulated HPA, and write them back to the spec';

  static override examples = [
    '<%= config.bin %> tune http://127.0.0.1:8080/predict --slo "p95<300ms"',
    '<%= config.bin %> tune --local --slo "p95<300ms,error_rate<1%" --write',
    '<%= config.bin %> tune https://sentiment.example.com/predict --cluster --namespace ml --replicas 2',
    '<%= config.bin %> tune --restore --name sentiment --namespace ml',
    '<%= config.bin %> tune --check tune-result.json --env prod',
    '<%= config.bin %> tune http://127.0.0.1:8000/v1/completions --protocol openai --model llama --slo "p99<2s" --report tune.html --json',
  ];

  static override args = {
    url: endpointArg({ description: "Endpoint URL of the replicas under test (default: the spec's loadtest.url)", required: false }),
  };

  static override flags = {
    local: Flags.boolean({ description: 'Start the spec\'s local runtime (mdl dev) and tune against it; measures cold start too', exclusive: ['cluster', 'restore'], helpGroup: 'TARGET' }),
    cluster: Flags.boolean({ description: "Tune the deployed model: pin its HPA/ScaledObject to --replicas for the run, restore it afterwards, and measure pod cold start", exclusive: ['local', 'restore'], helpGroup: 'TARGET' }),
    check: Flags.string({
      description: "Regression gate, no load: simulate the spec's current scaling settings on the capacity in this TuneResult file (mdl tune --json) over the spec's traffic; exit 99 when they no longer keep the SLO, 0 when they do",
      helpGroup: 'TARGET',
    }),
    restore: Flags.boolean({ description: 'Put back the autoscaler bounds an interrupted --cluster run left pinned, then exit', exclusive: ['local', 'cluster', 'write', 'report'], helpGroup: 'TARGET' }),
    'ready-timeout': durationFlag({ dependsOn: ['cluster'], description: 'With --cluster: how long to wait for exactly N Ready replicas, and for the cold-start pod (default 10m)', helpGroup: 'TARGET' }),
    kubeconfig: kubeFlags.kubeconfig,
    context: kubeFlags.context,
    namespace: kubeFlags.namespace,
    name: kubeFlags.name,
    slo: Flags.string({ description: 'SLO to keep: "p95<300ms", "error_rate<1%" (repeatable or comma-separated; default: the spec\'s slo)', multiple: true, helpGroup: 'TUNE' }),
    replicas: Flags.integer({ description: 'Replicas behind the URL during the search; capacity is reported per replica (default 1)', min: 1, helpGroup: 'TUNE' }),
    runtime: Flags.string({ description: "Server runtime, for the metric choice (default: the spec's runtime, or http)", options: ['vllm', 'tgi', 'openai', 'triton', 'torchserve', 'kserve-v2', 'http'], helpGroup: 'TUNE' }),
    axis: Flags.string({ description: "Search on concurrency or rate (default: what the runtime's scaling metric uses)", options: ['concurrency', 'rate'], helpGroup: 'TUNE' }),
    window: durationFlag({ minMs: 1000, description: 'Length of one measurement window; a step needs 3 that agree within 10 % (default 5s)', helpGroup: 'TUNE' }),
    'start-level': rateFlag({ description: 'First level tried, per replica (default 1)', helpGroup: 'TUNE' }),
    'max-level': rateFlag({ description: 'Highest level tried, per replica (default 1024 concurrency, 100000 req/s)', helpGroup: 'TUNE' }),
    write: Flags.boolean({ description: "Write the recommendation into the spec's scaling section (comments kept) and show the diff; only a setting that passed the simulation", helpGroup: 'RESULT' }),
    force: Flags.boolean({ description: 'With --write: write the best setting found even when no setting passed the simulation', dependsOn: ['write'], helpGroup: 'RESULT' }),
    'max-replicas': Flags.integer({ description: 'The most replicas any simulated setting may use', min: 1, helpGroup: 'TUNE' }),
    verify: Flags.string({
      description: "With --local: replay the spec's traffic on the local runtime running the chosen setting and compare it with its simulation; --verify=all also replays the spec's current setting and a static fleet sized for the peak",
      options: ['chosen', 'all'],
      helpGroup: 'RESULT',
    }),
    report: Flags.string({ description: 'Write a self-contained HTML report with charts to this file', helpGroup: 'RESULT' }),
    protocol: Flags.string({ description: 'Request protocol', options: ['http', 'kserve-v2', 'openai'], helpGroup: 'REQUEST' }),
    method: Flags.string({ description: 'HTTP method (default GET, or POST with a body)', helpGroup: 'REQUEST' }),
    header: Flags.string({ char: 'H', description: 'Request header "Name: value" (repeatable; ${VAR} reads the environment); values are redacted in output', multiple: true, helpGroup: 'REQUEST' }),
    'spec-headers': Flags.boolean({ description: "Send the spec's loadtest.headers to this URL although its origin is not loadtest.url's (by default they go to that origin only)", helpGroup: 'REQUEST' }),
    'show-secrets': Flags.boolean({ description: 'Show header values and URL user info in output instead of [redacted]', helpGroup: 'RESULT' }),
    body: Flags.string({ description: 'JSON request body, or @file.json', exclusive: ['payload'], helpGroup: 'REQUEST' }),
    payload: Flags.string({ description: 'JSONL file of request bodies', exclusive: ['body'], helpGroup: 'REQUEST' }),
    model: Flags.string({ description: 'Model name (kserve-v2 path, openai "model" field)', helpGroup: 'REQUEST' }),
    timeout: durationFlag({ description: 'Per-request timeout (default: 10 × the SLO latency, at least 5s)', helpGroup: 'REQUEST' }),
    arrival: Flags.string({ description: 'Open-loop arrivals when searching on rate (default constant)', options: ['constant', 'poisson'], helpGroup: 'REQUEST' }),
    warmup: durationFlag({ description: 'Warm-up before the first window of every step, as in loadtest (default 1s; 0 disables)', zero: true, helpGroup: 'REQUEST' }),
    'max-error-rate': Flags.string({ description: 'Stop with exit 99, naming the dominant error class, when more than this share of requests fail before any level passed (default 50%)', helpGroup: 'TUNE' }),
  };

  public override async init(): Promise<void> {
    // A bare --verify means the chosen setting; --verify=all names the rest (oclif flags need a value).
    this.argv = this.argv.map((a) => (a === '--verify' ? '--verify=chosen' : a));
    await super.init();
  }

  public async run(): Promise<TuneResultJson | RestoreResult | TuneCheckResult> {
    if (this.flags.check !== undefined) return this.check(this.flags.check);
    const ctx = {
      flags: { ...(this.flags as TuneCommandFlags), url: this.args.url },
      json: this.jsonEnabled(),
      mode: this.outputMode,
      loadSpec: () => this.loadSpec(),
      note: (m: string) => this.note(m),
    };
    if (this.flags.restore) return runTuneRestore(ctx);
    const { result, exitCode } = await runTuneCommand(ctx);
    this.resultExitCode = exitCode;
    return tuneResultJson(result);
  }

  private async check(file: string): Promise<TuneCheckResult> {
    const [{ runTuneCheck }, { formatTuneCheck }] = await Promise.all([import('../src/services/tune-check.js'), import('../src/tune/check.js')]);
    const f = this.flags;
    const given: Array<[string, unknown]> = [
      ['URL', this.args.url], ['--local', f.local || undefined], ['--cluster', f.cluster || undefined], ['--restore', f.restore || undefined],
      ['--write', f.write || undefined], ['--report', f.report], ['--replicas', f.replicas],
    ];
    const { result, exitCode } = await runTuneCheck({
      file,
      slo: f.slo,
      conflicting: given.filter(([, v]) => v !== undefined).map(([name]) => name),
      loadSpec: () => this.loadSpec(),
    });
    this.note(formatTuneCheck(result));
    this.resultExitCode = exitCode;
    return result;
  }
}
