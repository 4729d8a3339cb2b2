/**
 * The full output of `mdl dev`'s replicas, one file per replica (`<dir>/<replica>.log`, appended across
 * restarts), so that what the terminal leaves out (src/local/output-limit.ts) is still there to read.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export class ReplicaLogs {
  private readonly streams = new Map<string, WriteStream>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(replica: string): string {
    return join(this.dir, `${replica}.log`);
  }

  write(replica: string, line: string): void {
    let s = this.streams.get(replica);
    if (!s) {
      s = createWriteStream(this.pathOf(replica), { flags: 'a' });
      // A full disk must not take mdl dev down with it; the terminal still shows the output.
      s.on('error', () => undefined);
      this.streams.set(replica, s);
    }
    s.write(`${line}\n`);
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    this.streams.clear();
  }
}
