/**
 * Keeps a chatty replica from flooding `mdl dev`'s stderr (a model server's access log is a line per
 * request): at most `perSecond` lines of each replica are shown per one-second window; the rest are counted,
 * and one note per window says how many were left out. Pure: the caller passes the time, and the full
 * output goes to the replica's log file elsewhere (src/local/replica-logs.ts).
 */
export interface OutputLimiterOptions {
  /** Lines shown per replica per second; 0 shows none (the notes still count them). */
  perSecond: number;
  /** The note for a window that left lines out. */
  note: (replica: string, suppressed: number) => string;
}

interface Window {
  startMs: number;
  shown: number;
  suppressed: number;
}

const WINDOW_MS = 1000;

export class OutputLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: OutputLimiterOptions) {}

  /** What to print for one line of a replica: the line, a note for the window before it, both, or nothing. */
  offer(replica: string, line: string, nowMs: number): string[] {
    const out: string[] = [];
    let w = this.windows.get(replica);
    if (!w || nowMs - w.startMs >= WINDOW_MS) {
      if (w && w.suppressed > 0) out.push(this.options.note(replica, w.suppressed));
      w = { startMs: nowMs, shown: 0, suppressed: 0 };
      this.windows.set(replica, w);
    }
    if (w.shown < this.options.perSecond) {
      w.shown++;
      out.push(line);
    } else {
      w.suppressed++;
    }
    return out;
  }

  /** Notes for the windows that have ended with lines left out (called every second, so a burst followed
   *  by silence is still reported). */
  flush(nowMs: number): string[] {
    const out: string[] = [];
    for (const [replica, w] of this.windows) {
      if (nowMs - w.startMs < WINDOW_MS) continue;
      if (w.suppressed > 0) out.push(this.options.note(replica, w.suppressed));
      this.windows.delete(replica);
    }
    return out;
  }
}
