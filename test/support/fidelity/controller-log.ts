/**
 * The controller's syncs of one HPA, from kube-controller-manager's log (run with `--vmodule=horizontal=4`):
 * each sync logs "Proposing desired replicas" with its scale target. klog stamps lines with local time to the
 * microsecond and no year. Pure.
 */
export function parseControllerSyncs(log: string, ns: string, name: string, startMs: number): { tMs: number; proposed: number }[] {
  const year = new Date(startMs).getFullYear();
  const line = /^I(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\s.*"Proposing desired replicas".*?desiredReplicas=(\d+).*scaleTarget="Deployment\/([^/"]+)\/([^"]+)"/;
  const syncs: { tMs: number; proposed: number }[] = [];
  for (const text of log.split('\n')) {
    const m = line.exec(text);
    if (!m || m[8] !== ns || m[9] !== name) continue;
    const micros = Number(m[6]);
    const at = new Date(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Math.floor(micros / 1000)).getTime() + (micros % 1000) / 1000;
    syncs.push({ tMs: at - startMs, proposed: Number(m[7]) });
  }
  return syncs;
}
