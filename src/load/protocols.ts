/**
 * Protocol adapters: what request to send next and how to judge the response.
 * - http: method, headers, a fixed body or payload items; any status below 400 is a success.
 * - kserve-v2: Open Inference Protocol POST /v2/models/<name>/infer; the response must be JSON with outputs.
 * - openai: /v1/chat/completions or /v1/completions, streamed over SSE; times every content chunk.
 */
import { badInput } from '../errors.js';
import { MalformedResponseError, httpErrorClass } from './error-class.js';
import type { PayloadCursor, PayloadItem } from './payload.js';
import type { LlmSample } from './recorder.js';
import { SseParser } from './sse.js';
import type { ErrorClass, LoadProtocol } from './types.js';

export interface PreparedRequest {
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

/** Per-request response judge. Times are ms on the engine's clock. */
export interface ResponseJudge {
  onData(chunk: Buffer, nowMs: number): void;
  /** Called at the end of a response with status < 400; returns an error class or an LLM sample. */
  finish(nowMs: number): { error?: ErrorClass; llm?: LlmSample };
}

export interface ProtocolAdapter {
  readonly protocol: LoadProtocol;
  readonly method: string;
  next(): PreparedRequest;
  /** A judge for the body, or undefined when only the status matters (fast path). */
  judge(sentMs: number): ResponseJudge | undefined;
}

export interface AdapterOptions {
  protocol: LoadProtocol;
  /** Path and query of the target URL. */
  basePath: string;
  method?: string;
  headers: Record<string, string>;
  /** A fixed body (http), as given with --body. */
  body?: string;
  payload?: PayloadCursor;
  model?: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function encodeBody(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function mergeHeaders(base: Record<string, string>, item?: PayloadItem): Record<string, string> {
  return item?.headers ? { ...base, ...item.headers } : base;
}

export function createAdapter(options: AdapterOptions): ProtocolAdapter {
  switch (options.protocol) {
    case 'http':
      return httpAdapter(options);
    case 'kserve-v2':
      return kserveAdapter(options);
    case 'openai':
      return openaiAdapter(options);
  }
}

function httpAdapter(o: AdapterOptions): ProtocolAdapter {
  const method = (o.method ?? (o.body !== undefined || o.payload ? 'POST' : 'GET')).toUpperCase();
  const hasJsonBody = o.body !== undefined || o.payload !== undefined;
  const headers = hasJsonBody ? { ...JSON_HEADERS, ...o.headers } : { ...o.headers };
  const fixed: PreparedRequest = { path: o.basePath, method, headers, body: o.body === undefined ? undefined : Buffer.from(o.body) };
  const payload = o.payload;
  return {
    protocol: 'http',
    method,
    next: payload
      ? () => {
          const item = payload.next();
          return { path: item.path ?? o.basePath, method: item.method?.toUpperCase() ?? method, headers: mergeHeaders(headers, item), body: encodeBody(item.body) };
        }
      : () => fixed,
    judge: () => undefined,
  };
}

/**
 * The URL a protocol actually loads: a base URL with the protocol's path appended (kserve-v2's infer
 * path for the model, openai's /v1/chat/completions), the URL itself for http. Every summary and result
 * shows this one. Idempotent: a resolved URL resolves to itself. A URL that does not parse is returned as
 * it is, for the engine to reject with its own message.
 */
export function resolveProtocolUrl(url: string, protocol: LoadProtocol, model: string | undefined): string {
  if (protocol === 'http') return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  u.pathname = protocol === 'kserve-v2' ? kservePath(u.pathname, model) : openaiPath(u.pathname).path;
  return u.toString();
}

/** Where the infer endpoint is: the URL's own path when it already names it. */
export function kservePath(basePath: string, model: string | undefined): string {
  if (/\/v2\/models\/[^/]+\/(versions\/[^/]+\/)?infer/.test(basePath)) return basePath;
  if (!model) throw badInput('kserve-v2 needs a model name', { where: '--model', hint: 'Pass --model NAME or a URL ending in /v2/models/NAME/infer.' });
  return `${basePath.replace(/\/+$/, '')}/v2/models/${encodeURIComponent(model)}/infer`;
}

function kserveAdapter(o: AdapterOptions): ProtocolAdapter {
  const path = kservePath(o.basePath, o.model);
  if (!o.payload && o.body === undefined) {
    throw badInput('kserve-v2 needs tensors to send', { where: '--payload', hint: 'Pass --payload FILE with an infer request ({"inputs": [...]}) per line, or --body.' });
  }
  const headers = { ...JSON_HEADERS, ...o.headers };
  const fixed = o.body === undefined ? undefined : Buffer.from(o.body);
  const payload = o.payload;
  return {
    protocol: 'kserve-v2',
    method: 'POST',
    next: () => {
      if (!payload) return { path, method: 'POST', headers, body: fixed };
      const item = payload.next();
      return { path: item.path ?? path, method: 'POST', headers: mergeHeaders(headers, item), body: encodeBody(item.body) };
    },
    judge: () => new JsonJudge((doc) => Array.isArray((doc as { outputs?: unknown })?.outputs), 'an infer response with "outputs"'),
  };
}

class JsonJudge implements ResponseJudge {
  private chunks: Buffer[] = [];
  constructor(
    private readonly check: (doc: unknown) => boolean,
    private readonly expected: string,
  ) {}
  onData(chunk: Buffer): void {
    this.chunks.push(chunk);
  }
  finish(): { error?: ErrorClass } {
    try {
      const doc = JSON.parse(Buffer.concat(this.chunks).toString('utf8'));
      if (!this.check(doc)) throw new MalformedResponseError(`not ${this.expected}`);
      return {};
    } catch {
      return { error: 'malformed' };
    }
  }
}

/** Chat when the URL or the body says so; completions when the URL ends in /completions without chat. */
export function openaiPath(basePath: string): { path: string; chat: boolean } {
  const clean = basePath.replace(/\/+$/, '');
  if (clean.endsWith('/chat/completions')) return { path: clean, chat: true };
  if (clean.endsWith('/completions')) return { path: clean, chat: false };
  const prefix = clean.endsWith('/v1') ? clean : `${clean}/v1`;
  return { path: `${prefix}/chat/completions`, chat: true };
}

function openaiAdapter(o: AdapterOptions): ProtocolAdapter {
  const { path, chat } = openaiPath(o.basePath);
  const headers = { ...JSON_HEADERS, accept: 'text/event-stream', ...o.headers };
  const defaultBody: Record<string, unknown> = chat
    ? { messages: [{ role: 'user', content: 'Write a short story about a lighthouse.' }], max_tokens: 128 }
    : { prompt: 'Write a short story about a lighthouse.', max_tokens: 128 };
  const build = (raw: unknown): { body: string; stream: boolean } => {
    const base = raw && typeof raw === 'object' ? { ...(raw as Record<string, unknown>) } : typeof raw === 'string' ? JSON.parse(raw) : { ...defaultBody };
    if (o.model && base.model === undefined) base.model = o.model;
    if (base.stream === undefined) base.stream = true;
    // Ask for the usage chunk so token counts are exact; servers that ignore it are counted by chunks.
    if (base.stream === true && base.stream_options === undefined) base.stream_options = { include_usage: true };
    return { body: JSON.stringify(base), stream: base.stream === true };
  };
  const fixed = o.body !== undefined ? build(o.body) : o.payload ? undefined : build(undefined);
  const payload = o.payload;
  let lastStream = true;
  return {
    protocol: 'openai',
    method: 'POST',
    next: () => {
      if (fixed) {
        lastStream = fixed.stream;
        return { path, method: 'POST', headers, body: fixed.body };
      }
      const item = payload!.next();
      const b = build(item.body);
      lastStream = b.stream;
      return { path: item.path ?? path, method: 'POST', headers: mergeHeaders(headers, item), body: b.body };
    },
    judge: (sentMs) => (lastStream ? new OpenAiStreamJudge(sentMs) : new OpenAiJsonJudge(sentMs)),
  };
}

/** Times content chunks of a streamed completion; vLLM's definitions (docs/load-metrics.md). */
export class OpenAiStreamJudge implements ResponseJudge {
  private readonly sse = new SseParser();
  private firstMs: number | undefined;
  private lastMs: number | undefined;
  private readonly gaps: number[] = [];
  private chunks = 0;
  private usageTokens: number | undefined;
  private done = false;
  private broken = false;

  constructor(private readonly sentMs: number) {}

  onData(chunk: Buffer, nowMs: number): void {
    if (this.broken) return;
    for (const data of this.sse.push(chunk)) {
      if (data.trim() === '[DONE]') {
        this.done = true;
        continue;
      }
      let event: OpenAiChunk;
      try {
        event = JSON.parse(data) as OpenAiChunk;
      } catch {
        this.broken = true;
        return;
      }
      if (event.usage && typeof event.usage.completion_tokens === 'number') this.usageTokens = event.usage.completion_tokens;
      const choice = event.choices?.[0];
      const text = choice?.delta?.content ?? choice?.text ?? choice?.delta?.reasoning_content;
      if (typeof text === 'string' && text.length > 0) {
        if (this.lastMs === undefined) this.firstMs = nowMs;
        else this.gaps.push(nowMs - this.lastMs);
        this.lastMs = nowMs;
        this.chunks++;
      }
    }
  }

  finish(nowMs: number): { error?: ErrorClass; llm?: LlmSample } {
    if (this.broken || !this.done) return { error: 'malformed' };
    return {
      llm: {
        ttftMs: this.firstMs === undefined ? undefined : this.firstMs - this.sentMs,
        itlMs: this.gaps,
        e2eMs: nowMs - this.sentMs,
        outputTokens: this.usageTokens ?? this.chunks,
        tokensApproximate: this.usageTokens === undefined,
      },
    };
  }
}

interface OpenAiChunk {
  choices?: Array<{ delta?: { content?: string | null; reasoning_content?: string | null }; text?: string }>;
  usage?: { completion_tokens?: number } | null;
}

class OpenAiJsonJudge implements ResponseJudge {
  private chunks: Buffer[] = [];
  constructor(private readonly sentMs: number) {}
  onData(chunk: Buffer): void {
    this.chunks.push(chunk);
  }
  finish(nowMs: number): { error?: ErrorClass; llm?: LlmSample } {
    try {
      const doc = JSON.parse(Buffer.concat(this.chunks).toString('utf8')) as { choices?: unknown[]; usage?: { completion_tokens?: number } };
      if (!Array.isArray(doc.choices)) return { error: 'malformed' };
      const tokens = doc.usage?.completion_tokens;
      return { llm: { ttftMs: undefined, itlMs: [], e2eMs: nowMs - this.sentMs, outputTokens: tokens ?? 0, tokensApproximate: tokens === undefined } };
    } catch {
      return { error: 'malformed' };
    }
  }
}

export { httpErrorClass };
