import type { LocalRuntimeStatus } from './status.js';

/** What the local runtime reports; the dashboard, the plain-line view and tests subscribe to the same events. */
export type LocalRuntimeEvent =
  | { type: 'replica-starting'; replica: string; pid: number | undefined; port: number; at: number }
  | { type: 'replica-ready'; replica: string; timeToReadyMs: number; at: number }
  | { type: 'replica-unready'; replica: string; at: number }
  | { type: 'replica-draining'; replica: string; inFlight: number; at: number }
  | { type: 'replica-stopped'; replica: string; at: number }
  | {
      type: 'replica-crashed';
      replica: string;
      exitCode: number | undefined;
      /** The last lines the replica printed, for the report of a crash. */
      lastOutput: string[];
      restarts: number;
      restartInMs: number;
      at: number;
    }
  | { type: 'replica-output'; replica: string; stream: 'stdout' | 'stderr'; line: string }
  /** Work the runtime started in the background failed (a replica's start or stop, an autoscaler sync); it goes on. */
  | { type: 'runtime-error'; what: string; message: string; at: number }
  | {
      type: 'autoscaler-sync';
      currentReplicas: number;
      desiredReplicas: number;
      /** The per-replica metric value the recommendation used (undefined when no replica was ready). */
      metricValue: number | undefined;
      at: number;
    }
  | { type: 'scale'; from: number; to: number; reason: string; metricValue: number | undefined; at: number }
  | { type: 'status'; status: LocalRuntimeStatus };

export type LocalRuntimeListener = (event: LocalRuntimeEvent) => void;

/** A tiny typed emitter; `on` returns the function that unsubscribes. */
export class RuntimeEvents {
  private readonly listeners = new Set<LocalRuntimeListener>();
  on(listener: LocalRuntimeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: LocalRuntimeEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A view's bug must not stop the runtime.
      }
    }
  }
}
