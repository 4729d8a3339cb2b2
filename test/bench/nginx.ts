/** Starts nginx (Debian's package) with one worker on 127.0.0.1, answering 200 "ok"; for benchmarks only. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchServer {
  url: string;
  kind: 'nginx' | 'node';
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startNginx(): Promise<BenchServer | undefined> {
  const bin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mdl-bench-nginx-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
error_log ${dir}/error.log crit;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path ${dir};
  proxy_temp_path ${dir};
  fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir};
  scgi_temp_path ${dir};
  server { listen 127.0.0.1:${port}; location / { return 200 "ok"; } }
}
`,
  );
  const child: ChildProcess = spawn(bin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try {
      execFileSync('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`]);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url: `http://127.0.0.1:${port}/`, kind: 'nginx', stop: () => void child.kill('SIGTERM') };
}
