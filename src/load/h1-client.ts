/**
 * A lean HTTP/1.1 keep-alive client for the load engine's hot path: pre-serialised requests written to
 * plain sockets and a small response parser (status line, Content-Length or chunked), no streams or
 * header objects per response. It speaks only what a load test needs; anything unusual in a response
 * (1xx, upgrade, a missing length without close) fails that request as malformed instead of guessing.
 *
 * It implements the subset of undici's Dispatcher handler API the engine uses, so the engine can pick
 * it or undici (HTTP/2, or when asked) without caring which.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface H1Request {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

export interface H1Controller {
  abort(reason: Error): void;
  /**
   * When the socket read that is being handled arrived (on the pool's clock): taken first thing in the
   * data callback, so a response's end time leaves out the parsing and the handler calls after it.
   */
  readonly receivedMs?: number;
}

export interface H1Handler {
  onRequestStart?(controller: H1Controller, context: unknown): void;
  onResponseStart?(controller: H1Controller, statusCode: number, headers: Record<string, string>, statusMessage?: string): void;
  onResponseData?(controller: H1Controller, chunk: Buffer): void;
  onResponseEnd?(controller: H1Controller, trailers: Record<string, string>): void;
  onResponseError?(controller: H1Controller, error: Error): void;
}

export interface H1PoolOptions {
  connections: number;
  rejectUnauthorized: boolean;
  connectTimeoutMs: number;
  /** The clock for receivedMs (ms); performance.now() by default. */
  now?: () => number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

class MalformedError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Serialised request heads are cached per (method, path, headers object) — the engine reuses objects. */
const headCache = new WeakMap<Record<string, string>, Map<string, Buffer>>();

function requestHead(host: string, req: H1Request, bodyLength: number): Buffer {
  let byHeaders = headCache.get(req.headers);
  if (!byHeaders) headCache.set(req.headers, (byHeaders = new Map()));
  const key = `${req.method} ${req.path} ${bodyLength}`;
  let head = byHeaders.get(key);
  if (!head) {
    let text = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\n`;
    for (const [k, v] of Object.entries(req.headers)) text += `${k}: ${v}\r\n`;
    if (bodyLength > 0 || req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') text += `content-length: ${bodyLength}\r\n`;
    head = Buffer.from(`${text}\r\n`, 'latin1');
    if (byHeaders.size < 1000) byHeaders.set(key, head);
  }
  return head;
}

interface Pending {
  req: H1Request;
  handler: H1Handler;
}

class Connection implements H1Controller {
  private socket: net.Socket | undefined;
  private current: Pending | undefined;
  private buffer: Buffer | undefined;
  /** Parser state for the current response. */
  private state: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-crlf' | 'trailer' | 'close' = 'head';
  private remaining = 0;
  private method = 'GET';
  private aborted = false;
  /** Whether the current request reached the socket (an abort before that keeps the connection). */
  private written = false;
  receivedMs = 0;

  constructor(
    private readonly pool: H1Pool,
    private readonly host: string,
  ) {}

  get idle(): boolean {
    return this.current === undefined;
  }

  start(p: Pending): void {
    this.current = p;
    this.aborted = false;
    this.written = false;
    this.state = 'head';
    this.method = p.req.method;
    const s = this.socket ?? this.connect();
    p.handler.onRequestStart?.(this, undefined);
    if (this.aborted) return;
    const body = p.req.body === undefined ? undefined : typeof p.req.body === 'string' ? Buffer.from(p.req.body) : p.req.body;
    const head = requestHead(this.host, p.req, body?.length ?? 0);
    this.written = true;
    if (body && body.length > 0) {
      s.cork();
      s.write(head);
      s.write(body);
      s.uncork();
    } else {
      s.write(head);
    }
  }

  abort(reason: Error): void {
    if (this.aborted || !this.current) return;
    this.aborted = true;
    if (!this.written) {
      const p = this.current;
      this.current = undefined;
      p.handler.onResponseError?.(this, reason);
      this.pool.release(this);
      return;
    }
    this.fail(reason);
  }

  private connect(): net.Socket {
    const o = this.pool.options;
    const url = this.pool.url;
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const s =
      url.protocol === 'https:'
        ? tls.connect({ host: url.hostname, port, servername: net.isIP(url.hostname) ? undefined : url.hostname, rejectUnauthorized: o.rejectUnauthorized, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host: url.hostname, port });
    s.setNoDelay(true);
    s.setTimeout(o.connectTimeoutMs);
    s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => s.setTimeout(0));
    s.on('timeout', () => s.destroy(coded('connect timeout', 'UND_ERR_CONNECT_TIMEOUT')));
    // Events of a socket this connection has already given up on must not touch the next request.
    s.on('data', (chunk: Buffer) => {
      this.receivedMs = this.pool.now();
      if (this.socket === s) this.onData(chunk);
    });
    s.on('error', (error) => {
      if (this.socket === s) this.fail(error);
    });
    s.on('close', () => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.buffer = undefined;
      if (this.state === 'close' && this.current) return this.finish();
      if (this.current) this.fail(coded('socket closed', 'ECONNRESET'));
    });
    this.socket = s;
    return s;
  }

  private fail(error: Error): void {
    const p = this.current;
    this.current = undefined;
    this.buffer = undefined;
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
    if (p) {
      p.handler.onResponseError?.(this, error);
      this.pool.release(this);
    }
  }

  private finish(): void {
    const p = this.current!;
    this.current = undefined;
    p.handler.onResponseEnd?.(this, NO_HEADERS);
    this.pool.release(this);
  }

  private onData(chunk: Buffer): void {
    if (!this.current) {
      // Bytes with no request outstanding: the server is out of step; start afresh.
      this.socket?.destroy();
      return;
    }
    let data = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.buffer = undefined;
    try {
      let offset = 0;
      while (this.current && offset < data.length) {
        const handler = this.current.handler;
        switch (this.state) {
          case 'head': {
            const end = data.indexOf(HEADER_END, offset);
            if (end < 0) {
              if (data.length - offset > 65_536) throw new MalformedError('response head too large');
              this.buffer = data.subarray(offset);
              return;
            }
            this.parseHead(data.toString('latin1', offset, end), handler);
            offset = end + 4;
            if (this.aborted) return;
            if ((this.state as string) === 'length' && this.remaining === 0) this.finish();
            break;
          }
          case 'length': {
            const n = Math.min(this.remaining, data.length - offset);
            if (handler.onResponseData) handler.onResponseData(this, data.subarray(offset, offset + n));
            offset += n;
            this.remaining -= n;
            if (this.remaining === 0) {
              this.state = 'head';
              this.finish();
            }
            break;
          }
          case 'close': {
            handler.onResponseData?.(this, data.subarray(offset));
            offset = data.length;
            break;
          }
          case 'chunk-size': {
            const end = data.indexOf(CRLF, offset);
            if (end < 0) {
              this.buffer = data.subarray(offset);
              return;
            }
            const size = Number.parseInt(data.toString('latin1', offset, end).split(';')[0]!, 16);
            if (!Number.isFinite(size) || size < 0) throw new MalformedError('bad chunk size');
            offset = end + 2;
            if (size === 0) this.state = 'trailer';
            else {
              this.remaining = size;
              this.state = 'chunk-data';
            }
            break;
          }
          case 'chunk-data': {
            const n = Math.min(this.remaining, data.length - offset);
            handler.onResponseData?.(this, data.subarray(offset, offset + n));
            offset += n;
            this.remaining -= n;
            if (this.remaining === 0) this.state = 'chunk-crlf';
            break;
          }
          case 'chunk-crlf': {
            if (data.length - offset < 2) {
              this.buffer = data.subarray(offset);
              return;
            }
            offset += 2;
            this.state = 'chunk-size';
            break;
          }
          case 'trailer': {
            const end = data.indexOf(CRLF, offset);
            if (end < 0) {
              this.buffer = data.subarray(offset);
              return;
            }
            const empty = end === offset;
            offset = end + 2;
            if (empty) {
              this.state = 'head';
              this.finish();
            }
            break;
          }
        }
      }
      if (offset < data.length && !this.current) this.socket?.destroy();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private parseHead(head: string, handler: H1Handler): void {
    const lineEnd = head.indexOf('\r\n');
    const statusLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
    if (!statusLine.startsWith('HTTP/1.')) throw new MalformedError('not an HTTP/1.x response');
    const status = Number(statusLine.slice(9, 12));
    if (!(status >= 200 && status <= 599)) throw new MalformedError(`unexpected status line: ${statusLine}`);
    let length = -1;
    let chunked = false;
    let close = statusLine.startsWith('HTTP/1.0');
    let headers: Record<string, string> | undefined;
    if (lineEnd >= 0) {
      for (const line of head.slice(lineEnd + 2).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'content-length') length = Number(value);
        else if (name === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
        else if (name === 'connection') close = value.toLowerCase() === 'close' ? true : value.toLowerCase() === 'keep-alive' ? false : close;
        else if (name === 'content-type') (headers ??= {})[name] = value;
      }
    }
    const noBody = this.method === 'HEAD' || status === 204 || status === 304;
    if (close) this.pool.noReuse(this);
    handler.onResponseStart?.(this, status, headers ?? NO_HEADERS);
    if (noBody) {
      this.state = 'length';
      this.remaining = 0;
    } else if (chunked) this.state = 'chunk-size';
    else if (length >= 0) {
      if (!Number.isFinite(length)) throw new MalformedError('bad content-length');
      this.state = 'length';
      this.remaining = length;
    } else if (close) this.state = 'close';
    else throw new MalformedError('response without length on a keep-alive connection');
  }

  /** Closes the socket after the current response (Connection: close). */
  closeAfter(): void {
    const s = this.socket;
    this.socket = undefined;
    if (s) setImmediate(() => s.destroy());
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

export class H1Pool {
  readonly url: URL;
  private readonly host: string;
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly closing = new Set<Connection>();
  private destroyed = false;
  readonly now: () => number;

  constructor(
    origin: string,
    readonly options: H1PoolOptions,
  ) {
    this.url = new URL(origin);
    this.host = this.url.host;
    this.now = options.now ?? (() => performance.now());
  }

  dispatch(req: H1Request, handler: H1Handler): void {
    if (this.destroyed) {
      handler.onResponseError?.({ abort() {} }, coded('pool destroyed', 'UND_ERR_DESTROYED'));
      return;
    }
    let c = this.idle.pop();
    if (!c && this.all.length < this.options.connections) {
      c = new Connection(this, this.host);
      this.all.push(c);
    }
    if (c) c.start({ req, handler });
    else this.queue.push({ req, handler });
  }

  noReuse(c: Connection): void {
    this.closing.add(c);
  }

  release(c: Connection): void {
    if (this.closing.delete(c)) c.closeAfter();
    if (this.destroyed) return;
    if (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as Pending;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      c.start(next);
    } else {
      this.idle.push(c);
    }
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    for (const c of this.all) c.destroy();
  }
}
