/**
 * Failing loudly: a run whose requests mostly fail measures nothing about the server, so it stops early,
 * names the dominant error class with what to check, and exits 99 (the bound is a threshold the run
 * breached, like an SLO: the user's endpoint or flags, not a bug of mdl's).
 */
import { ExitCode, MdlError } from '../errors.js';
import type { ErrorClass, LoadSnapshot } from './types.js';

/** Default bound on the error rate (failed / answered) before a run stops. */
export const DEFAULT_MAX_ERROR_RATE = 0.5;
/** Requests that must have ended before the bound is judged: one early failure is not a broken endpoint. */
export const MIN_ERROR_BOUND_SAMPLES = 10;

export interface ErrorBoundBreach {
  errorRate: number;
  failed: number;
  ended: number;
  dominant: ErrorClass;
  dominantCount: number;
}

/** What to check for an error class, one sentence. */
export function errorClassHint(cls: ErrorClass): string {
  if (cls === 'connect_refused') return 'Nothing accepted the connection: is the server up, and listening on that host and port?';
  if (cls === 'connect_timeout') return 'Connecting timed out: check the host, port and any firewall between here and the server.';
  if (cls === 'tls') return 'The TLS handshake failed: check the certificate (or pass --insecure for a self-signed one) and http:// vs https://.';
  if (cls === 'reset') return 'The server closed connections without an answer: it may cancel requests under load, or crash; check its log.';
  if (cls === 'timeout') return 'Requests outlived --timeout: the server is overloaded or stuck; lower the load or raise --timeout.';
  if (cls === 'malformed') return 'Answers did not follow the protocol: check --protocol against what the server speaks.';
  if (cls === 'http_404') return 'The server answered 404: check the path and the model name (--model, --protocol).';
  if (cls === 'http_401' || cls === 'http_403') return 'The server refused the credentials: check the --header values.';
  if (cls === 'http_400' || cls === 'http_422') return 'The server rejected the request: check --body/--payload and --protocol.';
  if (cls === 'http_405') return 'The server does not take this method here: check --method and the path.';
  if (/^http_5\d\d$/.test(cls)) return 'The server failed the requests itself: check its log.';
  return 'Check the server and the request flags.';
}

/** Watches a run's snapshots; `breached()` becomes true once the error rate passes the bound. */
export class ErrorBound {
  private failed = 0;
  private completed = 0;
  private readonly errors = new Map<ErrorClass, number>();
  private breach: ErrorBoundBreach | undefined;

  constructor(
    readonly maxErrorRate: number = DEFAULT_MAX_ERROR_RATE,
    private readonly minSamples = MIN_ERROR_BOUND_SAMPLES,
  ) {}

  /** Feeds one snapshot (warm-up ones count too: an endpoint that is wrong is wrong from the start). */
  observe(s: Pick<LoadSnapshot, 'completed' | 'failed' | 'errors'>): ErrorBoundBreach | undefined {
    if (this.breach) return this.breach;
    this.failed += s.failed;
    this.completed += s.completed;
    for (const [k, v] of Object.entries(s.errors)) this.errors.set(k as ErrorClass, (this.errors.get(k as ErrorClass) ?? 0) + (v ?? 0));
    const ended = this.failed + this.completed;
    if (ended < this.minSamples || this.failed / ended <= this.maxErrorRate) return undefined;
    const [dominant, dominantCount] = [...this.errors.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['other', this.failed];
    this.breach = { errorRate: this.failed / ended, failed: this.failed, ended, dominant, dominantCount };
    return this.breach;
  }

  breached(): ErrorBoundBreach | undefined {
    return this.breach;
  }
}

/** Thrown by a run that stopped on its breached bound, for a caller (tune) that names its own URL and exit. */
export class ErrorBoundExceeded extends Error {
  constructor(readonly breach: ErrorBoundBreach, readonly maxErrorRate: number) {
    super(`${breach.failed} of ${breach.ended} requests failed, most ${breach.dominant}`);
    this.name = 'ErrorBoundExceeded';
  }
}

/** The error a breached bound ends the command with (exit 99). Through a proxy, a refused or timed-out
 *  connection is the proxy's, so the message names it. */
export function errorBoundError(b: ErrorBoundBreach, maxErrorRate: number, url: string, proxy?: string): MdlError {
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  const connect = b.dominant === 'connect_refused' || b.dominant === 'connect_timeout';
  const hint = proxy && connect
    ? `The connections go to the proxy ${proxy} (HTTP_PROXY/HTTPS_PROXY): is it up? NO_PROXY lists hosts to reach directly.`
    : errorClassHint(b.dominant);
  return new MdlError(
    `stopped early: ${b.failed} of ${b.ended} requests to ${url}${proxy ? ` through the proxy ${proxy}` : ''} failed (${pct(b.errorRate)}, above --max-error-rate ${pct(maxErrorRate)}); most were ${b.dominant} (${b.dominantCount})`,
    { exitCode: ExitCode.thresholds, where: url, hint },
  );
}
