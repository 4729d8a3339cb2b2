/** Driving the built CLI in a real terminal for e2e tests: a private tmux server, read back with capture-pane. */
import { execFileSync } from 'node:child_process';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The environment of a person at a terminal: the test run's own, less the CI markers that CI sets for it
 * (a CLI under CI=true rightly prints plain lines instead of its dashboard).
 */
export function terminalEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...rest } = env;
  return rest;
}

/** A private tmux server (its own socket), so nothing else running tmux is touched. */
export class Tmux {
  readonly socket = `mdl-e2e-${process.pid}`;
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: terminalEnv() });
  }
  /** The visible pane; with scrollbackLines, that many lines of history above it too. */
  capture(scrollbackLines = 0): string {
    return scrollbackLines > 0 ? this.tmux('capture-pane', '-p', '-S', `-${scrollbackLines}`, '-t', 'dash') : this.tmux('capture-pane', '-p', '-t', 'dash');
  }
  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}

/** Polls probe() every 200 ms until it returns a value, or fails after ms with what was last seen. */
export async function waitFor<T>(what: string, ms: number, probe: () => T | undefined, seen?: () => string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${seen ? `; last seen:\n${seen()}` : ''}`);
    await sleep(200);
  }
}
