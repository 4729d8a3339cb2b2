/**
 * Capacity of the demo model: closed-loop load (N clients, each always waiting on one request) for a few
 * seconds per level, first on one replica, then through the local runtime's balancer with two replicas.
 *
 *   node --import tsx test/bench/demo-capacity.ts [--seconds 5]
 *
 * Prints requests/s and latency percentiles per level. The two-replica/one-replica ratio is what counts on a
 * shared machine.
 */
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalRuntime } from '../../src/local/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const SECONDS = Number(values.seconds);
const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));
const BODY = JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [6.0, 2.9, 4.5, 1.5] }] });

function once(url: URL, agent: Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function level(base: string, clients: number): Promise<{ clients: number; rps: number; p50: number; p95: number }> {
  const url = new URL('/v2/models/iris/infer', base);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) latencies.push(await once(url, agent));
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.floor(p * (latencies.length - 1))]! * 10) / 10;
  return { clients, rps: Math.round(latencies.length / SECONDS), p50: q(0.5), p95: q(0.95) };
}

async function run(replicas: number): Promise<void> {
  const rt = await startLocalRuntime({
    command: 'node --import tsx server.ts --port {port}',
    cwd: DEMO,
    name: 'iris',
    healthPath: '/v2/health/ready',
    replicas,
    scaling: { minReplicas: replicas, maxReplicas: replicas, metric: { type: 'concurrency', target: 1 }, enabled: false },
  });
  try {
    await level(rt.url, 2); // warm-up
    for (const clients of [1, 2, 4, 8]) {
      const r = await level(rt.url, clients);
      process.stdout.write(`| ${replicas} | ${r.clients} | ${r.rps} | ${r.p50} | ${r.p95} |\n`);
    }
  } finally {
    await rt.stop();
  }
}

process.stdout.write(`| replicas | clients | requests/s | p50 ms | p95 ms |\n|---|---|---|---|---|\n`);
await run(1);
await run(2);
