import { Flags } from '@oclif/core';
import { MdlCommand } from '../src/cli/base-command.js';
import { checkObjectName, durationFlag, endpointArg, fractionFlag, rateFlag } from '../src/cli/flags.js';
import { kubeWatchFlags } from '../src/cli/kube-flags.js';
import type { LoadResult } from '../src/load/types.js';
import type { ModelSpec } from '../src/spec/index.js';

export default class Loadtest extends MdlCommand<typeof Loadtest> {
  static override description =
    'Load an endpoint open loop (--rate, --stages) or closed loop (--concurrency), with latency corrected for coordinated omission, LLM streaming metrics and CI thresholds';

  static override examples = [
    '<%= config.bin %> loadtest http://127.0.0.1:8080/predict --rate 200 --duration 1m --threshold "p95<300ms"',
    '<%= config.bin %> loadtest http://127.0.0.1:8000 --protocol openai --model llama --concurrency 8 --threshold "ttft_p99<2s"',
    '<%= config.bin %> loadtest http://127.0.0.1:8080 --stages 30s:10,2m:200,30s:0 --arrival poisson --out run.ndjson',
    '<%= config.bin %> loadtest --local --stages 20s:5,1m:80,20s:5   # the spec\'s model on this machine, scaling live',
    '<%= config.bin %> loadtest https://models.example.com/v2/models/iris/infer --rate 100 --duration 5m --namespace prod   # the deployed model\'s replicas beside the latency',
  ];

  static override args = {
    url: endpointArg({ description: "Endpoint URL (default: the spec's loadtest.url)", required: false }),
  };

  static override flags = {
    local: Flags.boolean({ description: "Run the spec's model on this machine (as mdl dev: replicas, balancer, autoscaler) and load it; stopped at the end", helpGroup: 'TARGET' }),
    replicas: Flags.integer({ description: 'With --local: replicas at start (default: local.replicas, else scaling.minReplicas)', min: 1, dependsOn: ['local'], helpGroup: 'TARGET' }),
    'sync-period': durationFlag({ description: "With --local: the local autoscaler's sync period, e.g. 5s (default 15s, the HPA controller's)", dependsOn: ['local'], helpGroup: 'TARGET' }),
    rate: rateFlag({ description: 'Open loop: requests per second (20, 20rps, 1200/min)', exclusive: ['concurrency', 'stages', 'profile'], helpGroup: 'LOAD' }),
    concurrency: Flags.integer({ description: 'Closed loop: this many workers, each waits for its answer', min: 1, exclusive: ['rate', 'stages', 'profile'], helpGroup: 'LOAD' }),
    stages: Flags.string({ description: 'Open loop stages duration:rate, ramped linearly (30s:10,2m:200,30s:0)', exclusive: ['rate', 'concurrency', 'profile'], helpGroup: 'LOAD' }),
    profile: Flags.string({ description: 'Open loop from a traffic profile: a shape (step,from=300,to=20,at=1m,duration=3m; spike, diurnal, steady, ramp) or a CSV/JSONL file of (seconds, requests per second) rows', exclusive: ['rate', 'concurrency', 'stages'], helpGroup: 'LOAD' }),
    arrival: Flags.string({ description: 'Open-loop arrivals: constant spacing or poisson', options: ['constant', 'poisson'], helpGroup: 'LOAD' }),
    duration: durationFlag({ description: 'Measured duration (default 30s)', helpGroup: 'LOAD' }),
    requests: Flags.integer({ description: 'Stop after this many measured requests', min: 1, helpGroup: 'LOAD' }),
    warmup: durationFlag({ description: 'Warm-up before measuring, excluded from results (default 1s, as in tune; 0 disables)', zero: true, helpGroup: 'LOAD' }),
    timeout: durationFlag({ description: 'Per-request timeout (default 30s)', helpGroup: 'LOAD' }),
    connections: Flags.integer({ description: 'Keep-alive connections (default: the concurrency, or 64 open loop)', min: 1, helpGroup: 'LOAD' }),
    'max-in-flight': Flags.integer({ description: 'Open loop: requests past this many in flight are dropped and counted (default 10000)', min: 1, helpGroup: 'LOAD' }),
    protocol: Flags.string({ description: 'Request protocol', options: ['http', 'kserve-v2', 'openai'], helpGroup: 'REQUEST' }),
    method: Flags.string({ description: 'HTTP method (default GET, or POST with a body)', helpGroup: 'REQUEST' }),
    header: Flags.string({ char: 'H', description: 'Request header "Name: value" (repeatable; ${VAR} reads the environment); values are redacted in output', multiple: true, helpGroup: 'REQUEST' }),
    'spec-headers': Flags.boolean({ description: "Send the spec's loadtest.headers to this URL although its origin is not loadtest.url's (by default they go to that origin only)", helpGroup: 'REQUEST' }),
    body: Flags.string({ description: 'JSON request body, or @file.json', exclusive: ['payload'], helpGroup: 'REQUEST' }),
    payload: Flags.string({ description: 'JSONL file of request bodies or {path, method, headers, body}', exclusive: ['body'], helpGroup: 'REQUEST' }),
    shuffle: Flags.boolean({ description: 'Use payload lines in a shuffled order (see --seed)', helpGroup: 'REQUEST' }),
    seed: Flags.integer({ description: 'Seed for --shuffle and Poisson arrivals (default 1)', helpGroup: 'REQUEST' }),
    model: Flags.string({ description: 'Model name (kserve-v2 path, openai "model" field)', helpGroup: 'REQUEST' }),
    insecure: Flags.boolean({ description: 'Do not verify TLS certificates', helpGroup: 'REQUEST' }),
    http2: Flags.boolean({ description: 'Offer HTTP/2 over TLS (ALPN); HTTP/1.1 otherwise', helpGroup: 'REQUEST' }),
    threshold: Flags.string({ char: 't', description: 'Pass/fail criterion, repeatable: p95<300ms, error_rate<1%, ttft_p99<2s, rps>=100', multiple: true, helpGroup: 'RESULT' }),
    out: Flags.string({ description: 'Write one JSON line per second (and the result last) to this file', helpGroup: 'RESULT' }),
    junit: Flags.string({ description: 'Write thresholds as JUnit XML test cases to this file', helpGroup: 'RESULT' }),
    'max-error-rate': fractionFlag({ description: 'Stop early, exit 99, naming the main error, once more than this share of requests fail (default 50%; 100% never stops)', helpGroup: 'RESULT' }),
    name: Flags.string({ description: "Watch this deployed model's replicas (its Deployment and HPA) while the load runs: in the view and the result (default with --namespace/--context: the spec's name)", helpGroup: 'CLUSTER', parse: async (input) => checkObjectName('--name', input) }),
    ...kubeWatchFlags,
    'show-secrets': Flags.boolean({ description: 'Show header values and URL user info in output instead of [redacted]', helpGroup: 'RESULT' }),
  };

  /** The spec when one is given or found; none is fine for a bare URL. A spec that is there but wrong still stops. */
  private async optionalSpec(): Promise<ModelSpec | undefined> {
    try {
      return (await this.loadSpec()).spec;
    } catch (error) {
      const { isSpecNotFound } = await import('../src/spec/index.js');
      if (this.flags.config === undefined && isSpecNotFound(error)) return undefined;
      throw error;
    }
  }

  public async run(): Promise<LoadResult> {
    const { runLoadtestCommand } = await import('../src/services/loadtest.js');
    const { result, exitCode } = await runLoadtestCommand({
      flags: this.flags,
      url: this.args.url,
      mode: this.outputMode,
      spec: await this.optionalSpec(),
      note: (m) => this.note(m),
    });
    this.resultExitCode = exitCode;
    return result;
  }
}
