import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startLocalRuntime, type LocalRuntime } from '../../src/local/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/replica-server.mjs', import.meta.url));

describe('local.command placeholders with real replicas', function () {
  this.timeout(40_000);
  let runtime: LocalRuntime | undefined;
  after(async () => {
    await runtime?.stop();
  });

  it('each replica gets its own {port}, {grpcPort}, {metricsPort} (listening, all distinct) and its {replica} number', async () => {
    runtime = await startLocalRuntime({
      command: `node ${FIXTURE} --port {port} --grpc-port {grpcPort} --metrics-port {metricsPort} --replica {replica}`,
      name: 'fx',
      healthPath: '/health',
      replicas: 2,
      readinessIntervalMs: 50,
      restartBackoffMs: 100,
      stopGraceMs: 2000,
      scaling: { minReplicas: 2, maxReplicas: 2, metric: { type: 'concurrency', target: 2 }, syncPeriodMs: 60_000 },
    });
    const replicas = runtime.status().replicas;
    assert.deepEqual(replicas.map((r) => r.id).sort(), ['fx-1', 'fx-2']);
    const ports = new Set<number>();
    for (const r of replicas) {
      const args = await (await fetch(`http://127.0.0.1:${r.port}/args`)).json() as Record<string, string>;
      const name = r.id;
      assert.equal(Number(args.port), r.port, 'the balancer sends to {port}');
      assert.equal(args.replica, name.split('-')[1], '{replica} is the number in its name');
      assert.equal(await (await fetch(`http://127.0.0.1:${args.grpcPort}/`)).text(), `grpc ${args.replica}`);
      assert.equal(await (await fetch(`http://127.0.0.1:${args.metricsPort}/`)).text(), `metrics ${args.replica}`);
      for (const p of [args.port, args.grpcPort, args.metricsPort]) ports.add(Number(p));
    }
    assert.equal(ports.size, 6, 'six distinct ports for two replicas');
  });
});
