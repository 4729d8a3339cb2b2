/**
 * Container images without a registry: an OCI image layout (opencontainers/image-spec image-layout.md)
 * written from host files as one uncompressed layer, tarred into the archive `ctr images import` reads.
 * Uncompressed, so the layer's digest is also its diff_id and no gzip pass is needed.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ImageDefinition {
  /** The full reference containerd stores it under (a short name would be normalized to docker.io). */
  name: string;
  entrypoint: string[];
  /** uid:gid the container runs as. */
  user?: string;
  env?: string[];
  workingDir?: string;
  /** Host file or folder → absolute path in the image. Symlinks are followed. */
  files: { from: string; to: string }[];
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes `def` as an OCI archive at `archive` (via a scratch folder next to it); returns the manifest digest. */
export function writeOciArchive(def: ImageDefinition, archive: string): string {
  mkdirSync(path.dirname(archive), { recursive: true });
  const work = mkdtempSync(`${archive}.build-`);
  try {
    const rootfs = path.join(work, 'rootfs');
    for (const { from, to } of def.files) {
      if (!path.isAbsolute(to)) throw new Error(`image ${def.name}: "${to}" must be an absolute path in the image`);
      const target = path.join(rootfs, to);
      mkdirSync(path.dirname(target), { recursive: true });
      const source = realpathSync(from);
      if (statSync(source).isDirectory()) cpSync(source, target, { recursive: true, dereference: true });
      else copyFileSync(source, target);
    }
    const layout = path.join(work, 'layout');
    const blobs = path.join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    // Owned by root, mtime 0, sorted: the same files give the same layer digest. a+rX: the image runs as a
    // non-root user, so everything is readable and what was executable stays so.
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '--mode=a+rX',
      '-C', rootfs, '-cf', path.join(work, 'layer.tar'), '.'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const layer = readFileSync(path.join(work, 'layer.tar'));
    const layerDigest = sha256(layer);
    renameSync(path.join(work, 'layer.tar'), path.join(blobs, layerDigest));

    const blob = (json: unknown): { digest: string; size: number } => {
      const bytes = Buffer.from(JSON.stringify(json));
      const digest = sha256(bytes);
      writeFileSync(path.join(blobs, digest), bytes);
      return { digest: `sha256:${digest}`, size: bytes.length };
    };
    const config = blob({
      architecture: 'amd64', os: 'linux',
      config: {
        Entrypoint: def.entrypoint,
        ...(def.user ? { User: def.user } : {}),
        ...(def.env ? { Env: def.env } : {}),
        ...(def.workingDir ? { WorkingDir: def.workingDir } : {}),
      },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    });
    const manifest = blob({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerDigest}`, size: layer.length }],
    });
    const tag = def.name.slice(def.name.lastIndexOf(':') + 1);
    writeFileSync(path.join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(path.join(layout, 'index.json'), JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{
        mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
        // containerd matches the platform to import and unpack; the name annotation is the full reference.
        platform: { architecture: 'amd64', os: 'linux' },
        annotations: { 'io.containerd.image.name': def.name, 'org.opencontainers.image.ref.name': tag },
      }],
    }));
    execFileSync('tar', ['-C', layout, '-cf', `${archive}.tmp`, 'oci-layout', 'index.json', 'blobs'], { stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(`${archive}.tmp`, archive);
    return manifest.digest;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The shared libraries a dynamically linked executable loads (ldd), the loader included, as host paths. */
export function sharedLibraries(executable: string): string[] {
  const out = execFileSync('ldd', [executable], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    // "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libs.push(m[1]!);
    else if (/not found/.test(line)) throw new Error(`${executable}: ${line.trim()} (ldd)`);
  }
  return libs;
}
