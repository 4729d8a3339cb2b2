import assert from 'node:assert/strict';
import { deploymentRolloutStatus, podProgress, type DeploymentLike } from '../../../src/kube/rollout.js';

function dep(spec: { replicas?: number; generation?: number }, status: DeploymentLike['status']): DeploymentLike {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation: spec.generation ?? 2 }, spec: { replicas: spec.replicas ?? 3 }, status };
}

describe('deploymentRolloutStatus (kubectl rollout status rules)', () => {
  it('waits until the controller has observed the new generation', () => {
    const s = deploymentRolloutStatus(dep({ generation: 3 }, { observedGeneration: 2, updatedReplicas: 3, availableReplicas: 3, replicas: 3 }));
    assert.equal(s.done, false);
    assert.match(s.message, /spec update to be observed/);
  });

  it('reports updated < desired, then old replicas pending, then available < updated', () => {
    assert.match(deploymentRolloutStatus(dep({}, { observedGeneration: 2, updatedReplicas: 1, replicas: 3 })).message, /1 out of 3 new replicas/);
    assert.match(deploymentRolloutStatus(dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 4 })).message, /1 old replicas are pending termination/);
    assert.match(deploymentRolloutStatus(dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message, /2 of 3 updated replicas are available/);
  });

  it('is done when updated = desired and available = updated', () => {
    const s = deploymentRolloutStatus(dep({}, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3, readyReplicas: 3 }));
    assert.equal(s.done, true);
    assert.deepEqual([s.desired, s.updated, s.ready, s.available], [3, 3, 3, 3]);
  });

  it('fails on ProgressDeadlineExceeded', () => {
    const s = deploymentRolloutStatus(dep({}, {
      observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 0,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
    }));
    assert.equal(s.failed, true);
    assert.equal(s.done, false);
  });
});

describe('podProgress', () => {
  it('reads phase, readiness, restarts and the waiting reason', () => {
    const p = podProgress({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1' },
      status: {
        phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }, { restartCount: 1 }],
      },
    });
    assert.deepEqual(p, { name: 'web-1', phase: 'Running', ready: false, restarts: 3, reason: 'CrashLoopBackOff' });
  });

  it('says how the last start of a crash-looping container ended', () => {
    const p = podProgress({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-3' },
      status: {
        phase: 'Running',
        containerStatuses: [{
          restartCount: 2,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=server' } },
          lastState: { terminated: { reason: 'StartError', exitCode: 128, message: 'exec: "/bin/model-server": stat /bin/model-server: no such file or directory\n' } },
        }],
      },
    });
    assert.equal(p.reason, 'CrashLoopBackOff');
    assert.equal(p.detail, 'StartError: exec: "/bin/model-server": stat /bin/model-server: no such file or directory');
  });

  it('without a previous start, the detail is the waiting message; a bare exit code when there is no reason', () => {
    const pull = podProgress({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-4' },
      status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ErrImageNeverPull', message: 'Container image "m:1" is not present' } } }] },
    });
    assert.equal(pull.detail, 'Container image "m:1" is not present');
    const exited = podProgress({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-5' },
      status: { phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 3 } } }] },
    });
    assert.equal(exited.detail, 'exit code 3');
  });

  it('a container caught between restarts reports how its start failed', () => {
    const p = podProgress({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-6' },
      status: { phase: 'Running', containerStatuses: [{ restartCount: 1, state: { terminated: { reason: 'StartError', exitCode: 128, message: 'exec: "/x": not found' } } }] },
    });
    assert.equal(p.reason, 'StartError');
    assert.equal(p.detail, 'StartError: exec: "/x": not found');
  });

  it('shows a pod being deleted as Terminating', () => {
    const p = podProgress({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running' } });
    assert.equal(p.phase, 'Terminating');
  });
});
