import assert from 'node:assert/strict';
import { classifyError, MalformedResponseError, RequestTimeoutError } from '../../../src/load/error-class.js';
import { PayloadCursor, parsePayloadText } from '../../../src/load/payload.js';
import { createAdapter, kservePath, OpenAiStreamJudge, openaiPath } from '../../../src/load/protocols.js';
import { SseParser } from '../../../src/load/sse.js';
import { MdlError } from '../../../src/errors.js';

const enc = (s: string) => Buffer.from(s);
const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

describe('SSE and the OpenAI stream judge', () => {
  it('splits events across chunk boundaries and CRLF', () => {
    const p = new SseParser();
    assert.deepEqual(p.push(enc('data: a\n\nda')), ['a']);
    assert.deepEqual(p.push(enc('ta: b\r\n\r\ndata: [DONE]\n\n')), ['b', '[DONE]']);
  });

  it('times content chunks: TTFT from the send, gaps between chunks, usage tokens exact', () => {
    const j = new OpenAiStreamJudge(100);
    j.onData(enc(`data: ${JSON.stringify({ choices: [{ delta: { role: 'assistant', content: '' } }] })}\n\n`), 110);
    j.onData(enc(chunk('a')), 150);
    j.onData(enc(chunk('b')), 160);
    j.onData(enc(chunk('c') + `data: ${JSON.stringify({ choices: [], usage: { completion_tokens: 7 } })}\n\ndata: [DONE]\n\n`), 180);
    const { error, llm } = j.finish(181);
    assert.equal(error, undefined);
    assert.equal(llm!.ttftMs, 50);
    assert.deepEqual(llm!.itlMs, [10, 20]);
    assert.equal(llm!.outputTokens, 7);
    assert.equal(llm!.tokensApproximate, false);
    assert.equal(llm!.e2eMs, 81);
  });

  it('counts chunks and says so when there is no usage chunk', () => {
    const j = new OpenAiStreamJudge(0);
    j.onData(enc(chunk('a') + chunk('b') + 'data: [DONE]\n\n'), 5);
    const { llm } = j.finish(5);
    assert.equal(llm!.outputTokens, 2);
    assert.equal(llm!.tokensApproximate, true);
  });

  it('calls a stream with invalid JSON or no [DONE] malformed', () => {
    const bad = new OpenAiStreamJudge(0);
    bad.onData(enc('data: {not json\n\n'), 1);
    assert.equal(bad.finish(2).error, 'malformed');
    const cut = new OpenAiStreamJudge(0);
    cut.onData(enc(chunk('a')), 1);
    assert.equal(cut.finish(2).error, 'malformed');
  });
});

describe('protocol adapters', () => {
  it('openai: adds stream, include_usage and the model to the body; picks chat or completions', () => {
    assert.deepEqual(openaiPath('/'), { path: '/v1/chat/completions', chat: true });
    assert.deepEqual(openaiPath('/v1/completions'), { path: '/v1/completions', chat: false });
    const a = createAdapter({ protocol: 'openai', basePath: '/', headers: {}, model: 'm' });
    const req = a.next();
    const body = JSON.parse(String(req.body));
    assert.equal(body.model, 'm');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(req.path, '/v1/chat/completions');
  });

  it('kserve-v2: builds the infer path and needs a model and tensors', () => {
    assert.equal(kservePath('/', 'sentiment'), '/v2/models/sentiment/infer');
    assert.equal(kservePath('/v2/models/x/infer', undefined), '/v2/models/x/infer');
    assert.throws(() => kservePath('/', undefined), MdlError);
    const payload = new PayloadCursor(parsePayloadText('{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}]}', 'p'));
    const a = createAdapter({ protocol: 'kserve-v2', basePath: '/', headers: {}, model: 'm', payload });
    assert.equal(a.next().path, '/v2/models/m/infer');
    const judge = a.judge(0)!;
    judge.onData(enc('{"outputs": []}'), 1);
    assert.deepEqual(judge.finish(1), {});
    const bad = a.judge(0)!;
    bad.onData(enc('{"outputs": '), 1);
    assert.equal(bad.finish(1).error, 'malformed');
  });

  it('http: GET without a body, POST JSON with one; payload items override path, method and headers', () => {
    assert.equal(createAdapter({ protocol: 'http', basePath: '/p', headers: {} }).next().method, 'GET');
    const payload = new PayloadCursor(parsePayloadText('{"path":"/a","method":"put","headers":{"x-k":"1"},"body":{"v":1}}\n{"v":2}\n', 'p'));
    const a = createAdapter({ protocol: 'http', basePath: '/p', headers: { authorization: 't' }, payload });
    const first = a.next();
    assert.deepEqual([first.path, first.method, first.headers['x-k'], first.headers.authorization, first.body], ['/a', 'PUT', '1', 't', '{"v":1}']);
    const second = a.next();
    assert.deepEqual([second.path, second.method, second.body], ['/p', 'POST', '{"v":2}']);
  });
});

describe('payload datasets', () => {
  it('names the line that is not JSON', () => {
    assert.throws(() => parsePayloadText('{"a":1}\n{oops\n', 'req.jsonl'), (e: unknown) => e instanceof MdlError && e.where === 'req.jsonl:2');
  });

  it('shuffles with a seed: same seed same order, every item used once per pass', () => {
    const items = Array.from({ length: 20 }, (_, i) => ({ body: i }));
    const order = (seed: number) => Array.from({ length: 20 }, (() => { const c = new PayloadCursor(items, { shuffle: true, seed }); return () => c.next().body; })());
    assert.deepEqual(order(5), order(5));
    assert.notDeepEqual(order(5), order(6));
    assert.deepEqual([...order(5)].sort((a, b) => Number(a) - Number(b)), items.map((i) => i.body));
    const inOrder = new PayloadCursor(items);
    assert.deepEqual([inOrder.next().body, inOrder.next().body], [0, 1]);
  });
});

describe('redaction', () => {
  it('hides header values and URL credentials unless asked', async () => {
    const { redactHeaders, redactUrl } = await import('../../../src/load/redact.js');
    assert.deepEqual(redactHeaders({ authorization: 'Bearer x' }, false), { authorization: '[redacted]' });
    assert.deepEqual(redactHeaders({ authorization: 'Bearer x' }, true), { authorization: 'Bearer x' });
    assert.equal(redactUrl('http://u:secret@127.0.0.1:8/p', false), 'http://u:redacted@127.0.0.1:8/p');
    assert.equal(redactUrl('http://token@127.0.0.1:8/p', false), 'http://redacted@127.0.0.1:8/p');
    assert.equal(redactUrl('http://127.0.0.1:8/p', false), 'http://127.0.0.1:8/p');
    assert.equal(redactUrl('http://u:secret@127.0.0.1:8/p', true), 'http://u:secret@127.0.0.1:8/p');
  });
});

describe('error classification', () => {
  it('maps transport errors to fixed classes, following causes', () => {
    const coded = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(classifyError(coded('ECONNREFUSED')), 'connect_refused');
    assert.equal(classifyError(coded('ECONNRESET')), 'reset');
    assert.equal(classifyError(coded('UND_ERR_SOCKET')), 'reset');
    assert.equal(classifyError(coded('UND_ERR_CONNECT_TIMEOUT')), 'connect_timeout');
    assert.equal(classifyError(coded('DEPTH_ZERO_SELF_SIGNED_CERT')), 'tls');
    assert.equal(classifyError(coded('HPE_INVALID_CONSTANT')), 'malformed');
    assert.equal(classifyError(new Error('x', { cause: coded('ECONNREFUSED') })), 'connect_refused');
    assert.equal(classifyError(new RequestTimeoutError()), 'timeout');
    assert.equal(classifyError(new MalformedResponseError('x')), 'malformed');
    assert.equal(classifyError(new Error('?')), 'other');
  });
});
