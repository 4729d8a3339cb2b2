/**
 * --out: one JSON line per second, written synchronously so a killed run keeps every second it measured.
 * Lines are {"kind":"snapshot",...LoadSnapshot}, and a last {"kind":"result",...LoadResult without series}.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { MdlError } from '../errors.js';
import type { LoadResult, LoadSnapshot } from '../load/types.js';

export class NdjsonWriter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (error) {
      throw new MdlError(`cannot write ${path}: ${(error as Error).message}`, { where: '--out', hint: 'Pick a writable path.' });
    }
  }

  snapshot(s: LoadSnapshot): void {
    this.line({ kind: 'snapshot', ...s });
  }

  result(r: LoadResult): void {
    const { series: _series, ...rest } = r;
    this.line({ kind: 'result', ...rest });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private line(doc: unknown): void {
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(doc)}\n`);
  }
}
