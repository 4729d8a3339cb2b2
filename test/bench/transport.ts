/**
 * Which HTTP client the engine uses: the built-in lean HTTP/1.1 client (src/load/h1-client.ts), undici's
 * Pool (dispatch API) and node:http with a keep-alive Agent, closed loop, same connections and duration,
 * alternating, against nginx with one worker.
 *   node --import tsx test/bench/transport.ts [--seconds 5] [--connections 50] [--rounds 2]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { H1Pool } from '../../src/load/h1-client.js';
import { startNginx } from './nginx.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, connections: { type: 'string', default: '50' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);

async function undiciRun(url: URL): Promise<number> {
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    let active = connections;
    const one = () => {
      if (performance.now() >= end) {
        if (--active === 0) resolve();
        return;
      }
      pool.dispatch({ path: url.pathname, method: 'GET' }, {
        onRequestStart() {},
        onResponseStart() {},
        onResponseData() {},
        onResponseEnd() {
          done++;
          one();
        },
        onResponseError() {
          one();
        },
      });
    };
    for (let i = 0; i < connections; i++) one();
  });
  await pool.close();
  return done / seconds;
}

async function h1Run(url: URL): Promise<number> {
  const pool = new H1Pool(url.origin, { connections, rejectUnauthorized: true, connectTimeoutMs: 10_000 });
  const req = { path: url.pathname, method: 'GET', headers: {}, body: undefined };
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    let active = connections;
    const one = () => {
      if (performance.now() >= end) {
        if (--active === 0) resolve();
        return;
      }
      pool.dispatch(req, {
        onResponseEnd() {
          done++;
          one();
        },
        onResponseError() {
          one();
        },
      });
    };
    for (let i = 0; i < connections; i++) one();
  });
  await pool.destroy();
  return done / seconds;
}

async function nodeHttpRun(url: URL): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let done = 0;
  const end = performance.now() + seconds * 1000;
  await new Promise<void>((resolve) => {
    let active = connections;
    const one = () => {
      if (performance.now() >= end) {
        if (--active === 0) resolve();
        return;
      }
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, agent }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          done++;
          one();
        });
      });
      req.on('error', () => one());
      req.end();
    };
    for (let i = 0; i < connections; i++) one();
  });
  agent.destroy();
  return done / seconds;
}

const server = await startNginx();
if (!server) throw new Error('nginx is not installed (apt-get install -y nginx)');
const url = new URL(server.url);
const results: Record<string, number[]> = { h1: [], undici: [], 'node:http': [] };
for (let r = 0; r < Number(values.rounds); r++) {
  results.h1!.push(await h1Run(url));
  results.undici!.push(await undiciRun(url));
  results['node:http']!.push(await nodeHttpRun(url));
}
server.stop();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(10)} ${v.map((x) => Math.round(x)).join(' ')} req/s (mean ${Math.round(mean(v))})`);
console.log(`undici / node:http = ${(mean(results.undici!) / mean(results['node:http']!)).toFixed(2)}; h1 / undici = ${(mean(results.h1!) / mean(results.undici!)).toFixed(2)}`);
