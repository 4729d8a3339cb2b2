import { EventEmitter } from 'node:events';

/** React 19 makes ink-testing-library record empty in-between frames: the last non-empty one is the frame. */
export function lastValidFrame(frames: readonly string[]): string {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.trim() !== '') return frames[i]!;
  return '';
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** A terminal-like output stream that keeps what was written (Ink draws on it). */
export class FakeTerminalOut extends EventEmitter {
  readonly writes: string[] = [];
  columns = 100;
  rows = 30;
  constructor(public isTTY = true) {
    super();
  }
  write = (chunk: string, cb?: () => void) => {
    this.writes.push(String(chunk));
    cb?.();
    return true;
  };
}

/** A terminal's stdin as Ink reads it: raw mode and 'readable' events. */
export class FakeTtyIn extends EventEmitter {
  isTTY = true;
  rawMode = false;
  private data: string | null = null;
  setRawMode(on: boolean) {
    this.rawMode = on;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  type(text: string) {
    this.data = text;
    this.emit('readable');
    this.emit('data', text);
  }
}
