// Benchmarks one token exchange through the transpiled component against Node's own HTTP clients
// sending the same request to the same mock Graph server.
//
// The mock runs in a child process (test/mock-server.mjs), because the component's exports block
// the main thread until the exchange ends. Each task runs for BENCH_TIME_MS milliseconds (default
// 5000) after a warm-up, and the report gives the median and percentiles of the per-call latency
// measured by tinybench. Nothing here fails on a time; the script exits non-zero only when a call
// fails or returns the wrong token.
//
// Run with `npm run bench` in js/ after `make js`.

import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';

import { exchange } from 'graph-token-exchange';
import { Bench } from 'tinybench';

import { startMock, tokenBody } from '../test/helpers.mjs';

const APP_ID = '1234567890123456';
const APP_SECRET = '454f31af3176813e02ea68ef786e4d3c';
const SHORT_TOKEN =
  'EAAJu8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFRIBXuDL7DxtpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSw';
const LONG_TOKEN = 'EAAJmvnEN5N1aE6PwZPf1Qh6yYTWmE4lBYOvfZ8UzDzV8fUkkibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m03nbqnsGpWLuqIA1id6Vw5DQL05HA064GiIjHGb3CXlMaX';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 5000);
const WARMUP_MS = Math.min(1000, TIME_MS);

const COMPONENT_TASK = 'component exchangeTokenWith';
const FETCH_TASK = 'fetch (keep-alive)';
const NODE_HTTP_TASK = 'node:http get (keep-alive agent)';

/** Returns the last request that the mock received. */
async function lastRequest(mock) {
  const requests = await mock.requests();
  assert.ok(requests.length > 0, 'the mock received no request');
  return requests[requests.length - 1];
}

/** Sends GET `url` with `headers` through `agent` and resolves with the parsed JSON body. */
function httpGetJson(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        try {
          assert.equal(response.statusCode, 200);
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** Formats a latency given in milliseconds: in µs below 1 ms, else in ms. */
function formatMs(ms) {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`;
}

/** Runs `fn` as one tinybench task after its own warm-up and returns its latency statistics. */
async function measure(name, fn) {
  const bench = new Bench({ name, time: TIME_MS, warmupTime: WARMUP_MS, throws: true });
  bench.add(name, fn);
  await bench.run();
  const [task] = bench.tasks;
  assert.equal(task.result.state, 'completed', `${name} did not complete: ${task.result.state}`);
  return task.result.latency;
}

function headerNames(request) {
  return Object.keys(request.headers).sort().join(', ');
}

async function main() {
  const mock = await startMock({ fallback: { status: 200, json: tokenBody(LONG_TOKEN) } });
  const agent = new http.Agent({ keepAlive: true });
  try {
    const options = { baseUrl: mock.baseUrl };
    const token = exchange.exchangeTokenWith(APP_ID, APP_SECRET, SHORT_TOKEN, options);
    assert.equal(token.accessToken, LONG_TOKEN);

    // Node's clients replay the component's path, query and own headers, so that the three
    // tasks send the same request apart from the headers each client adds by itself.
    const componentRequest = await lastRequest(mock);
    const url = `${mock.baseUrl}${componentRequest.path}?${componentRequest.query}`;
    const headers = {
      accept: componentRequest.headers.accept,
      'user-agent': componentRequest.headers['user-agent'],
    };

    const fetched = await (await fetch(url, { headers })).json();
    assert.equal(fetched.access_token, LONG_TOKEN);
    const fetchRequest = await lastRequest(mock);
    const viaHttp = await httpGetJson(url, headers, agent);
    assert.equal(viaHttp.access_token, LONG_TOKEN);
    const httpRequest = await lastRequest(mock);

    for (const [name, request] of [
      [COMPONENT_TASK, componentRequest],
      [FETCH_TASK, fetchRequest],
      [NODE_HTTP_TASK, httpRequest],
    ]) {
      assert.equal(request.method, 'GET');
      assert.equal(request.path, componentRequest.path, `${name} sent another path`);
      assert.equal(request.query, componentRequest.query, `${name} sent another query`);
      console.log(`request headers of ${name}: ${headerNames(request)}`);
    }

    // Each task gets its own Bench, so that its warm-up runs right before its measurement. The
    // Node clients run first: the component's calls block the main thread, and a keep-alive
    // socket that the mock closes meanwhile (after 5 s idle) would fail the next fetch.
    const results = new Map();
    results.set(
      FETCH_TASK,
      await measure(FETCH_TASK, async () => {
        const body = await (await fetch(url, { headers })).json();
        assert.equal(body.access_token, LONG_TOKEN);
      }),
    );
    results.set(
      NODE_HTTP_TASK,
      await measure(NODE_HTTP_TASK, async () => {
        const body = await httpGetJson(url, headers, agent);
        assert.equal(body.access_token, LONG_TOKEN);
      }),
    );
    results.set(
      COMPONENT_TASK,
      await measure(COMPONENT_TASK, () => {
        const result = exchange.exchangeTokenWith(APP_ID, APP_SECRET, SHORT_TOKEN, options);
        assert.equal(result.accessToken, LONG_TOKEN);
      }),
    );

    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    console.log(`\nNode ${process.version}, ${os.platform()} ${os.release()}, ${os.cpus().length} x ${cpu}`);
    console.log(`each task ran ${TIME_MS} ms after ${WARMUP_MS} ms of warm-up\n`);
    console.log('task                              samples      median         p75         p99        mean');
    const medians = new Map();
    for (const [name, latency] of results) {
      medians.set(name, latency.p50);
      console.log(
        [
          name.padEnd(32),
          String(latency.samplesCount).padStart(9),
          formatMs(latency.p50).padStart(11),
          formatMs(latency.p75).padStart(11),
          formatMs(latency.p99).padStart(11),
          formatMs(latency.mean).padStart(11),
        ].join(' '),
      );
    }
    const component = medians.get(COMPONENT_TASK);
    console.log(`\nmedian ratio, component / fetch: ${(component / medians.get(FETCH_TASK)).toFixed(2)}x`);
    console.log(`median ratio, component / node:http: ${(component / medians.get(NODE_HTTP_TASK)).toFixed(2)}x`);
  } finally {
    agent.destroy();
    await mock.stop();
  }
}

await main();
