/**
 * The controller's syncs of one HPA, from kube-controller-manager's log (run with `--vmodule=horizontal=4`):
 * each sync logs "Proposing desired replicas" with its scale target. klog stamps lines with local time to the
 * microsecond and no year. Pure.
 */
export interface ControllerSync {
  /** Trace time of the log line (the sync has read its metrics by then). */
  tMs: number;
  /** Replicas the metric proposed (before bounds and stabilization). */
  proposed: number;
  /** Trace time of the metric sample it read, as metrics-server stamps it (whole seconds); absent if none. */
  sampleMs?: number;
}

export function parseControllerSyncs(log: string, ns: string, name: string, startMs: number): ControllerSync[] {
  const year = new Date(startMs).getFullYear();
  const line = /^I(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\s.*"Proposing desired replicas".*?desiredReplicas=(\d+).*scaleTarget="Deployment\/([^/"]+)\/([^"]+)"/;
  const syncs: ControllerSync[] = [];
  const stamp = /\btimestamp="(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d\d)(\d\d)/;
  for (const text of log.split('\n')) {
    const m = line.exec(text);
    if (!m || m[8] !== ns || m[9] !== name) continue;
    const micros = Number(m[6]);
    const at = new Date(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Math.floor(micros / 1000)).getTime() + (micros % 1000) / 1000;
    const t = stamp.exec(text);
    const sampleAt = t ? Date.parse(`${t[1]}T${t[2]}${t[3]}:${t[4]}`) : NaN;
    // Go's zero time (no metric yet) is year 1.
    syncs.push({ tMs: at - startMs, proposed: Number(m[7]), ...(sampleAt > 0 ? { sampleMs: sampleAt - startMs } : {}) });
  }
  return syncs;
}
