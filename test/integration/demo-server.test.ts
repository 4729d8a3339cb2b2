import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/local/replica.js';

const DEMO = fileURLToPath(new URL('../../examples/demo', import.meta.url));

describe('demo model server (KServe v2)', function () {
  this.timeout(40_000);
  let server: ChildProcess | undefined;
  let base = '';

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'server.ts', '--port', String(port)], { cwd: DEMO, stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = await fetch(`${base}/v2/health/ready`).then((r) => r.status, () => 0);
      if (status === 200) break;
      assert.ok(Date.now() < deadline, 'demo server not ready within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => {
    server?.kill('SIGTERM');
  });

  async function infer(data: number[][]): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'q1', inputs: [{ name: 'input-0', shape: [data.length, 4], datatype: 'FP32', data }] }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('answers known flowers with their species', async () => {
    const { status, body } = await infer([
      [5.1, 3.5, 1.4, 0.2],
      [6.0, 2.9, 4.5, 1.5],
      [6.3, 3.3, 6.0, 2.5],
    ]);
    assert.equal(status, 200);
    assert.equal(body.model_name, 'iris');
    assert.equal(body.id, 'q1');
    const outputs = body.outputs as Array<{ name: string; shape: number[]; data: unknown[] }>;
    const label = outputs.find((o) => o.name === 'label')!;
    assert.deepEqual(label.data, ['setosa', 'versicolor', 'virginica']);
    const probs = outputs.find((o) => o.name === 'probabilities')!;
    assert.deepEqual(probs.shape, [3, 3]);
  });

  it('serves liveness, model metadata and Prometheus metrics', async () => {
    assert.equal((await fetch(`${base}/v2/health/live`)).status, 200);
    const meta = (await (await fetch(`${base}/v2/models/iris`)).json()) as { inputs: Array<{ shape: number[] }> };
    assert.deepEqual(meta.inputs[0]!.shape, [-1, 4]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^rest_server_requests_in_progress 0$/m);
    assert.match(metrics, /^model_infer_request_success_total\{model="iris",version="1"\} [1-9]\d*$/m);
    assert.match(metrics, /^demo_requests_total\{code="200"\} \d+$/m);
    assert.match(metrics, /^demo_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
  });

  it('rejects a malformed input with 400 and says why', async () => {
    const res = await fetch(`${base}/v2/models/iris/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] }),
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /shape \[N, 4\]/);
  });
  // Last: it stops the server. A router pins keep-alive connections to a pod, so a terminating server must
  // move its clients off them rather than close them under a request (test/support/cluster/README.md).
  it('after SIGTERM, answers an open keep-alive connection with Connection: close, then exits', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise<{ status: number; connection: string | undefined; port: number | undefined }>((resolve, reject) => {
      http.get(`${base}/v2/health/live`, { agent }, (res) => {
        const port = res.socket.localPort;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, port }));
      }).on('error', reject);
    });
    const first = await get();
    assert.equal(first.connection, 'keep-alive');
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    server!.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const second = await get();
    assert.equal(second.status, 200);
    assert.equal(second.port, first.port, 'the same connection');
    assert.equal(second.connection, 'close');
    assert.equal(await exited, 0);
    agent.destroy();
  });
});
