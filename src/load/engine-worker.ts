/** The engine thread's entry (started by engine-thread.ts): runs one load test and posts back what it measures. */
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad, type LoadOptions } from './engine.js';
import { serializeError, type EngineThreadMessage } from './engine-thread.js';

const port = parentPort!;
const post = (m: EngineThreadMessage) => port.postMessage(m);
const controller = new AbortController();
port.on('message', (m: { kind?: string }) => {
  if (m?.kind === 'abort') controller.abort();
});
try {
  const result = await runLoad(workerData as LoadOptions, { signal: controller.signal, onSnapshot: (snapshot) => post({ kind: 'snapshot', snapshot }) });
  post({ kind: 'result', result });
} catch (error) {
  post({ kind: 'error', error: serializeError(error) });
}
