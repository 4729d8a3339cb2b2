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
