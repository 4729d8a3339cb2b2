/** Maps transport and protocol failures to the fixed error classes of the LoadResult contract. */
import type { ErrorClass } from './types.js';

/** A response that arrived but does not follow the protocol (bad JSON, broken SSE, missing fields). */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/** Our own per-request deadline expired. */
export class RequestTimeoutError extends Error {
  constructor() {
    super('request timed out');
    this.name = 'RequestTimeoutError';
  }
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH)/;

export function httpErrorClass(statusCode: number): ErrorClass {
  return `http_${statusCode}`;
}

/** The class of an error thrown by undici, node:net/tls or our own checks. Walks `cause` chains. */
export function classifyError(error: unknown): ErrorClass {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e; depth++) {
    const err = e as { code?: string; name?: string; message?: string; cause?: unknown };
    if (err instanceof MalformedResponseError) return 'malformed';
    if (err instanceof RequestTimeoutError) return 'timeout';
    const code = err.code ?? '';
    if (code === 'ECONNREFUSED') return 'connect_refused';
    if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect_timeout';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED') return 'reset';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
    if (TLS_CODES.test(code)) return 'tls';
    if (code === 'HPE_INVALID_CONSTANT' || code.startsWith('HPE_') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_INFO') {
      return 'malformed';
    }
    if (err.name === 'TimeoutError') return 'timeout';
    e = err.cause;
  }
  return 'other';
}
