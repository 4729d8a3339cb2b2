/**
 * The real kubectl (linked into the test control plane's `kube` binary) reads what mdl writes:
 * - every rendered spec (goldens, examples, the adversarial test/fixtures/yaml11 with name `y` and env
 *   values on/yes/1_000/0o17/…) decodes, through kubectl's YAML 1.1 reader, to exactly the rendered objects;
 * - mdl's ApplySet is what docs/cluster.md says: kubectl finds its members by label, and kubectl's own
 *   `apply --prune --applyset` refuses the parent, whose tooling is mdl's.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { applyObject } from '../../src/kube/apply.js';
import { APPLYSET_PART_OF, applySetId, applySetParentName } from '../../src/kube/applyset.js';
import type { KubeObject } from '../../src/kube/types.js';
import { kubeconfigPath, repoRoot, runKubectl } from '../support/cluster/cluster.js';
import { renderedSpecs } from '../support/rendered-specs.js';
import { admin, get, manifestFile, modelObjects, runMdl, uniqueNamespace } from './support.js';

/** kubectl prints one JSON document per object, one after the other: split them at the top-level braces. */
function jsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' && depth++ === 0) start = i;
    else if (c === '}' && --depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
  }
  return docs;
}

/** The objects kubectl read from `yaml`, as it prints them (`create --dry-run=client -o json`). */
async function kubectlRead(yaml: string): Promise<{ code: number | null; items: unknown[]; stderr: string }> {
  const k = await runKubectl(['create', '--dry-run=client', '-o', 'json', '-f', '-'], { input: yaml });
  if (k.code !== 0) return { code: k.code, items: [], stderr: k.stderr };
  const items = jsonDocuments(k.stdout).flatMap((d) => ((d as { kind: string }).kind === 'List' ? (d as { items: unknown[] }).items : [d]));
  // kubectl fills in the namespace it would create the objects in (the kubeconfig's, default); mdl leaves it out.
  for (const item of items as Array<{ metadata?: { namespace?: string } }>) if (item.metadata?.namespace === 'default') delete item.metadata.namespace;
  return { code: k.code, items, stderr: k.stderr };
}

describe('the real kubectl', function () {
  this.timeout(180_000);

  before(async () => {
    // ScaledObjects (the KEDA goldens) need KEDA's CRDs for kubectl to map the kind.
    const client = await admin();
    const crds = parseAllDocuments(readFileSync(path.join(repoRoot, 'test/fixtures/keda-crds.yaml'), 'utf8')).map((d) => d.toJS() as KubeObject);
    for (const crd of crds) await applyObject(client, crd, 'default');
    for (let i = 0; i < 40 && !(await get(client, '/apis/keda.sh/v1alpha1')); i++) await new Promise((r) => setTimeout(r, 250));
  });

  it('reads every rendered spec back as exactly the objects rendered (kubectl create --dry-run=client -o json)', async () => {
    const rendered = await renderedSpecs();
    assert.ok(rendered.some((r) => r.label.startsWith('test/fixtures/yaml11')));
    for (const r of rendered) {
      const read = await kubectlRead(r.yaml);
      assert.equal(read.code, 0, `${r.label}: ${read.stderr}`);
      assert.deepEqual(read.items, r.objects, r.label);
    }
  });

  it('accepts the issue’s repro, name: y, with kubectl apply --dry-run=client --validate=false', async () => {
    const adversarial = (await renderedSpecs()).find((r) => r.label.startsWith('test/fixtures/yaml11'))!;
    const k = await runKubectl(['apply', '--dry-run=client', '--validate=false', '-f', '-'], { input: adversarial.yaml });
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /deployment\.apps\/y (created|configured) \(dry run\)/);
  });

  it('would misread the same objects written with YAML 1.2 quoting only (the control: this test can fail)', async () => {
    const adversarial = (await renderedSpecs()).find((r) => r.label.startsWith('test/fixtures/yaml11'))!;
    const plain12 = adversarial.objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
    assert.match(plain12, /app\.kubernetes\.io\/name: y$/m);
    const read = await kubectlRead(plain12);
    assert.ok(read.code !== 0 || JSON.stringify(read.items) !== JSON.stringify(adversarial.objects), 'kubectl read YAML 1.2-only output as the same objects');
  });

  it("finds mdl's ApplySet members by label, and kubectl's own --applyset refuses mdl's parent", async () => {
    const ns = uniqueNamespace('applyset');
    const name = 'aset';
    const file = manifestFile(await modelObjects({ name, replicas: 1 }));
    const deployed = await runMdl(['deploy', '--manifests', file, '--namespace', ns, '--create-namespace', '--no-wait'], { KUBECONFIG: kubeconfigPath });
    assert.equal(deployed.code, 0, deployed.stderr);
    const id = applySetId(applySetParentName(name), ns);
    const members = await runKubectl(['get', 'deployments,services,horizontalpodautoscalers,poddisruptionbudgets', '-n', ns, '-l', `${APPLYSET_PART_OF}=${id}`, '-o', 'name']);
    assert.equal(members.code, 0, members.stderr);
    assert.deepEqual(members.stdout.trim().split('\n').sort(), [`deployment.apps/${name}`, `horizontalpodautoscaler.autoscaling/${name}`, `poddisruptionbudget.policy/${name}`, `service/${name}`]);
    const prune = await runKubectl(['apply', '-n', ns, '--prune', `--applyset=secret/${applySetParentName(name)}`, '-f', file], { env: { KUBECTL_APPLYSET: 'true' } });
    assert.notEqual(prune.code, 0, prune.stdout);
    assert.match(prune.stderr, new RegExp(`ApplySet parent object .*${applySetParentName(name)}.* already exists and is managed by tooling "mdl" instead of "kubectl"`));
  });
});
