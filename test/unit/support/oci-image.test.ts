import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeOciArchive } from '../../support/cluster/oci-image.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('OCI archive writer (the real test node\'s images)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mdl-oci-'));
  const tool = path.join(dir, 'tool');
  writeFileSync(tool, '#!/bin/sh\necho hi\n');
  chmodSync(tool, 0o700);
  mkdirSync(path.join(dir, 'data'));
  writeFileSync(path.join(dir, 'data', 'weights.bin'), Buffer.from([1, 2, 3]));
  chmodSync(path.join(dir, 'data', 'weights.bin'), 0o600);

  const archive = path.join(dir, 'out', 'image.tar');
  const digest = writeOciArchive({
    name: 'mdl.test/tool:7', entrypoint: ['/bin/tool', '--serve'], user: '65534:65534',
    files: [{ from: tool, to: '/bin/tool' }, { from: path.join(dir, 'data'), to: '/opt/data' }],
  }, archive);
  const layout = path.join(dir, 'layout');
  mkdirSync(layout);
  execFileSync('tar', ['-C', layout, '-xf', archive]);
  const blob = (d: string) => readFileSync(path.join(layout, 'blobs', 'sha256', d.replace('sha256:', '')));

  it('names the image in index.json and every blob is stored under its own sha256', () => {
    assert.deepEqual(JSON.parse(readFileSync(path.join(layout, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; size: number; platform: unknown; annotations: Record<string, string> }[] };
    assert.equal(index.manifests.length, 1);
    const m = index.manifests[0]!;
    assert.equal(m.digest, digest);
    assert.deepEqual(m.platform, { architecture: 'amd64', os: 'linux' });
    assert.equal(m.annotations['io.containerd.image.name'], 'mdl.test/tool:7');
    assert.equal(m.annotations['org.opencontainers.image.ref.name'], '7');
    assert.equal(`sha256:${sha256(blob(m.digest))}`, m.digest);
    assert.equal(blob(m.digest).length, m.size);
    const manifest = JSON.parse(blob(m.digest).toString()) as { config: { digest: string; size: number }; layers: { mediaType: string; digest: string; size: number }[] };
    assert.equal(`sha256:${sha256(blob(manifest.config.digest))}`, manifest.config.digest);
    assert.equal(manifest.layers[0]!.mediaType, 'application/vnd.oci.image.layer.v1.tar');
    assert.equal(`sha256:${sha256(blob(manifest.layers[0]!.digest))}`, manifest.layers[0]!.digest);
    assert.equal(blob(manifest.layers[0]!.digest).length, manifest.layers[0]!.size);
  });

  it('the config runs the entrypoint as the user, and its diff_id is the uncompressed layer', () => {
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { config: { digest: string }; layers: { digest: string }[] };
    const config = JSON.parse(blob(manifest.config.digest).toString()) as Record<string, any>;
    assert.equal(config.os, 'linux');
    assert.deepEqual(config.config.Entrypoint, ['/bin/tool', '--serve']);
    assert.equal(config.config.User, '65534:65534');
    assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [manifest.layers[0]!.digest] });
  });

  it('the layer holds the files at their image paths, owned by root and readable by the image user', () => {
    const index = JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { layers: { digest: string }[] };
    const rootfs = path.join(dir, 'rootfs');
    mkdirSync(rootfs);
    execFileSync('tar', ['-C', rootfs, '-xf', path.join(layout, 'blobs', 'sha256', manifest.layers[0]!.digest.replace('sha256:', ''))]);
    assert.equal(readFileSync(path.join(rootfs, 'bin/tool'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.deepEqual([...readFileSync(path.join(rootfs, 'opt/data/weights.bin'))], [1, 2, 3]);
    assert.equal(statSync(path.join(rootfs, 'bin/tool')).mode & 0o777, 0o755);
    assert.equal(statSync(path.join(rootfs, 'opt/data/weights.bin')).mode & 0o777, 0o644);
    const listing = execFileSync('tar', ['-tvf', path.join(layout, 'blobs', 'sha256', manifest.layers[0]!.digest.replace('sha256:', '')), '--numeric-owner'], { encoding: 'utf8' });
    assert.ok(listing.trim().split('\n').every((line) => line.split(/\s+/)[1] === '0/0'), listing);
  });

  it('the same files give the same digest', () => {
    const again = writeOciArchive({
      name: 'mdl.test/tool:7', entrypoint: ['/bin/tool', '--serve'], user: '65534:65534',
      files: [{ from: tool, to: '/bin/tool' }, { from: path.join(dir, 'data'), to: '/opt/data' }],
    }, path.join(dir, 'out', 'again.tar'));
    assert.equal(again, digest);
  });

  it('refuses a relative path in the image', () => {
    assert.throws(() => writeOciArchive({ name: 'mdl.test/x:1', entrypoint: ['/x'], files: [{ from: tool, to: 'bin/tool' }] }, path.join(dir, 'bad.tar')),
      /"bin\/tool" must be an absolute path in the image/);
  });
});
