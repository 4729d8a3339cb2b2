/**
 * Root hooks of the cluster tests: the control plane comes up once for all of them (built first when
 * its binaries are not cached) and goes down at the end — unless it was already up before the run
 * (`npm run cluster:up` while developing), in which case it stays up.
 */
import { down, isUp, kubeconfigPath, up } from '../support/cluster/cluster.js';

let startedHere = false;

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    // A cold build of the control plane takes many minutes; the warm start takes seconds.
    this.timeout(80 * 60_000);
    const wasUp = await isUp();
    // A start that fails cleans up itself and keeps its logs (failed-start-logs): afterAll leaves them.
    await up();
    startedHere = !wasUp;
    process.env.KUBECONFIG = kubeconfigPath;
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    // The real node's pods are drained first (up to a minute), then every process stops.
    this.timeout(180_000);
    if (startedHere) await down();
  },
};
