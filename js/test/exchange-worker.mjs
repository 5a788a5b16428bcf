// Worker thread entry for worker.test.mjs: one exchange against the base URL in workerData,
// with the token or the error payload posted back to the parent thread.

import { parentPort, workerData } from 'node:worker_threads';

import { exchange } from 'graph-token-exchange';

try {
  const token = exchange.exchangeTokenWith('1234', 'app-secret-value', workerData.shortToken, { baseUrl: workerData.baseUrl });
  parentPort.postMessage({ tag: 'ok', val: token });
} catch (error) {
  if (!Object.hasOwn(error, 'payload')) {
    throw error;
  }
  parentPort.postMessage({ tag: 'err', val: error.payload });
}
