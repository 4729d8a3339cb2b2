/**
 * The simplest client that can time an HTTP exchange: one keep-alive socket, the clock read just before
 * the request is written and first thing in the socket's data callback, one request at a time. Against
 * the precise server's /ping it measures the loopback round trip (kernel, wake-ups and the server's
 * read and write) that any client sees on top of the server's hold.
 */
import net from 'node:net';

export interface ProbeResult {
  count: number;
  p50Ms: number;
  p90Ms: number;
  minMs: number;
}

/** `count` GET requests to `path`, one at a time, `gapMs` apart (so the loop sleeps between them as a load generator's does). */
export async function probe(origin: string, path: string, count: number, gapMs: number): Promise<ProbeResult> {
  const url = new URL(origin);
  const socket = net.connect({ host: url.hostname, port: Number(url.port) });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`, 'latin1');
  const times: number[] = [];
  let fail: ((error: Error) => void) | undefined;
  socket.on('error', (error) => fail?.(error));
  try {
    for (let i = 0; i < count; i++) {
      const ms = await new Promise<number>((resolve, reject) => {
        let received = '';
        let sentMs = 0;
        const onData = (chunk: Buffer) => {
          const now = performance.now();
          received += chunk.toString('latin1');
          // The precise server's answers are "ok" with content-length 2.
          if (received.endsWith('\r\n\r\nok')) {
            socket.off('data', onData);
            resolve(now - sentMs);
          }
        };
        socket.on('data', onData);
        fail = reject;
        sentMs = performance.now();
        socket.write(request);
      });
      times.push(ms);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    socket.destroy();
  }
  times.sort((a, b) => a - b);
  return { count, p50Ms: times[Math.floor(count / 2)]!, p90Ms: times[Math.floor(count * 0.9)]!, minMs: times[0]! };
}

/**
 * The same minimal client as a closed loop on `connections` sockets for `ms`: each socket sends its next
 * request as soon as its answer is in. The p50 of what plain Node sockets see, beside mdl's and wrk's.
 */
export async function closedLoopProbe(origin: string, path: string, connections: number, ms: number): Promise<ProbeResult> {
  const url = new URL(origin);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`, 'latin1');
  const times: number[] = [];
  const endMs = performance.now() + ms;
  await Promise.all(
    Array.from(
      { length: connections },
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect({ host: url.hostname, port: Number(url.port) });
          socket.setNoDelay(true);
          let sentMs = 0;
          let received = '';
          const send = () => {
            sentMs = performance.now();
            socket.write(request);
          };
          socket.on('connect', send);
          socket.on('error', reject);
          socket.on('data', (chunk: Buffer) => {
            const now = performance.now();
            received += chunk.toString('latin1');
            if (!received.endsWith('\r\n\r\nok')) return;
            received = '';
            times.push(now - sentMs);
            if (now < endMs) return send();
            socket.destroy();
            resolve();
          });
        }),
    ),
  );
  times.sort((a, b) => a - b);
  return { count: times.length, p50Ms: times[Math.floor(times.length / 2)]!, p90Ms: times[Math.floor(times.length * 0.9)]!, minMs: times[0]! };
}
