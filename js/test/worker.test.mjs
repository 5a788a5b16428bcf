// A call from a worker thread leaves the main thread's event loop free, so a server in the test
// process itself can respond: the way to call the component from a program that must stay
// responsive.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { tokenBody } from './helpers.mjs';

const WORKER_PATH = new URL('./exchange-worker.mjs', import.meta.url);

test('worker call with same-process server', async () => {
  const received = [];
  const server = http.createServer((request, response) => {
    received.push(request.url);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(tokenBody('EAAlong', 3600)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  try {
    const baseUrl = `http://127.0.0.1:${server.address().port}`;
    const worker = new Worker(WORKER_PATH, { workerData: { baseUrl, shortToken: 'EAAshort' } });
    const [outcome] = await once(worker, 'message');
    await once(worker, 'exit');

    assert.equal(outcome.tag, 'ok');
    assert.equal(outcome.val.accessToken, 'EAAlong');
    assert.equal(outcome.val.expiresIn, 3600n);
    assert.deepEqual(received, [
      '/v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=app-secret-value&fb_exchange_token=EAAshort',
    ]);
  } finally {
    server.close();
  }
});
