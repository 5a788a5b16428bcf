// Successful exchanges and refreshes through the transpiled component, each against a mock Graph
// server in a child process, with the exact outgoing request checked.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exchange } from 'graph-token-exchange';

import { nowUnixSeconds, startMock, tokenBody } from './helpers.mjs';

const APP_ID = '1234';
const APP_SECRET = 'app-secret-value';
const EXPIRES_IN = 5183944;

/**
 * Runs `call(baseUrl)` against a mock that sends `reply` to every request, and returns the
 * call's result, the requests the mock received, the mock's port, and the wall clock in Unix
 * seconds just before and after the call.
 */
async function callWithMock(reply, call) {
  const mock = await startMock({ fallback: reply });
  try {
    const before = nowUnixSeconds();
    const result = call(mock.baseUrl);
    const after = nowUnixSeconds();
    const requests = await mock.requests();
    return { result, requests, port: mock.port, before, after };
  } finally {
    await mock.stop();
  }
}

/** Asserts that exactly one GET with `path` and raw `query` reached the mock at `port`. */
function assertSingleGet(requests, port, path, query) {
  assert.equal(requests.length, 1, `expected 1 request, got ${requests.length}`);
  const [request] = requests;
  assert.equal(request.method, 'GET');
  assert.equal(request.path, path);
  assert.equal(request.query, query);
  assert.equal(request.host, `127.0.0.1:${port}`);
}

/** Asserts the fields of a long-lived token returned between `before` and `after`. */
function assertToken(token, { accessToken, platform, before, after }) {
  assert.deepEqual(Object.keys(token).sort(), ['accessToken', 'expiresAt', 'expiresIn', 'platform', 'tokenType']);
  assert.equal(token.accessToken, accessToken);
  assert.equal(token.tokenType, 'bearer');
  assert.equal(token.platform, platform);
  assert.equal(token.expiresIn, BigInt(EXPIRES_IN));
  assert.equal(typeof token.expiresAt, 'bigint');
  assert.ok(
    token.expiresAt >= before + BigInt(EXPIRES_IN) && token.expiresAt <= after + BigInt(EXPIRES_IN),
    `expiresAt ${token.expiresAt} is not receipt time plus expiresIn (${before}..${after} + ${EXPIRES_IN})`,
  );
}

test('defaultApiVersion returns v26.0', () => {
  assert.equal(exchange.defaultApiVersion(), 'v26.0');
});

test('facebook exchange sends exact request', async () => {
  const { result, requests, port, before, after } = await callWithMock(
    { status: 200, json: tokenBody('EAAlong') },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assertSingleGet(
    requests,
    port,
    '/v26.0/oauth/access_token',
    'grant_type=fb_exchange_token&client_id=1234&client_secret=app-secret-value&fb_exchange_token=EAAshort',
  );
  assertToken(result, { accessToken: 'EAAlong', platform: 'facebook', before, after });
});

test('threads exchange detected from TH prefix', async () => {
  const { result, requests, port, before, after } = await callWithMock(
    { status: 200, json: tokenBody('THlong') },
    (baseUrl) => exchange.exchangeTokenWith('', APP_SECRET, 'THshort', { baseUrl }),
  );

  assertSingleGet(
    requests,
    port,
    '/access_token',
    'grant_type=th_exchange_token&client_secret=app-secret-value&access_token=THshort',
  );
  assertToken(result, { accessToken: 'THlong', platform: 'threads', before, after });
});

test('instagram exchange detected from IG prefix', async () => {
  const { result, requests, port, before, after } = await callWithMock(
    { status: 200, json: tokenBody('IGlong') },
    (baseUrl) => exchange.exchangeTokenWith('', APP_SECRET, 'IGshort', { baseUrl }),
  );

  assertSingleGet(
    requests,
    port,
    '/access_token',
    'grant_type=ig_exchange_token&client_secret=app-secret-value&access_token=IGshort',
  );
  assertToken(result, { accessToken: 'IGlong', platform: 'instagram', before, after });
});

test('platform option overrides token prefix', async () => {
  const { result, requests, port } = await callWithMock(
    { status: 200, json: tokenBody('IGlong') },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl, platform: 'instagram' }),
  );

  assertSingleGet(
    requests,
    port,
    '/access_token',
    'grant_type=ig_exchange_token&client_secret=app-secret-value&access_token=EAAshort',
  );
  assert.equal(result.platform, 'instagram');
});

test('api version and base-url path prefix', async () => {
  const { requests, port } = await callWithMock(
    { status: 200, json: tokenBody('EAAlong') },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl: `${baseUrl}/gateway/`, apiVersion: 'v21.0' }),
  );

  assertSingleGet(
    requests,
    port,
    '/gateway/v21.0/oauth/access_token',
    'grant_type=fb_exchange_token&client_id=1234&client_secret=app-secret-value&fb_exchange_token=EAAshort',
  );
});

test('query encodes reserved characters once', async () => {
  const { requests, port } = await callWithMock(
    { status: 200, json: tokenBody('EAAlong') },
    (baseUrl) => exchange.exchangeTokenWith(` ${APP_ID}\n`, 'a+b/c=d&e#f', 'EAA-._~x\n', { baseUrl }),
  );

  assertSingleGet(
    requests,
    port,
    '/v26.0/oauth/access_token',
    'grant_type=fb_exchange_token&client_id=1234&client_secret=a%2Bb%2Fc%3Dd%26e%23f&fb_exchange_token=EAA-._%7Ex',
  );
});

test('threads refresh sends exact request', async () => {
  const { result, requests, port, before, after } = await callWithMock(
    { status: 200, json: tokenBody('THrefreshed') },
    (baseUrl) => exchange.refreshToken('THlong', { baseUrl }),
  );

  assertSingleGet(requests, port, '/refresh_access_token', 'grant_type=th_refresh_token&access_token=THlong');
  assertToken(result, { accessToken: 'THrefreshed', platform: 'threads', before, after });
});

test('instagram refresh sends exact request', async () => {
  const { result, requests, port, before, after } = await callWithMock(
    { status: 200, json: tokenBody('IGrefreshed') },
    (baseUrl) => exchange.refreshToken('longtoken', { baseUrl, platform: 'instagram' }),
  );

  assertSingleGet(requests, port, '/refresh_access_token', 'grant_type=ig_refresh_token&access_token=longtoken');
  assertToken(result, { accessToken: 'IGrefreshed', platform: 'instagram', before, after });
});

test('expiresIn above 2^53 stays exact', async () => {
  // 2^53 + 1 cannot be a JavaScript number, so the body is written by hand.
  const { result } = await callWithMock(
    { status: 200, headers: { 'content-type': 'application/json' }, body: '{"access_token":"EAAlong","expires_in":9007199254740993}' },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.equal(result.expiresIn, 9007199254740993n);
  assert.equal(typeof result.expiresAt, 'bigint');
  assert.ok(result.expiresAt > 9007199254740993n);
});

test('missing expires_in gives undefined fields', async () => {
  const { result } = await callWithMock(
    { status: 200, json: { access_token: 'EAAlong' } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.ok(Object.hasOwn(result, 'expiresIn'));
  assert.ok(Object.hasOwn(result, 'expiresAt'));
  assert.equal(result.expiresIn, undefined);
  assert.equal(result.expiresAt, undefined);
  assert.equal(result.tokenType, 'bearer');
});

test('legacy form body is accepted', async () => {
  const { result } = await callWithMock(
    { status: 200, headers: { 'content-type': 'text/plain' }, body: 'access_token=EAA%2Blong&expires=5183944' },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.equal(result.accessToken, 'EAA+long');
  assert.equal(result.expiresIn, BigInt(EXPIRES_IN));
});

test('503 then 200 is retried', async () => {
  const mock = await startMock({
    fallback: [
      { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>Service Unavailable</html>' },
      { status: 200, json: tokenBody('EAAlong') },
    ],
  });
  try {
    const result = exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl: mock.baseUrl, maxAttempts: 2 });
    const requests = await mock.requests();

    assert.equal(result.accessToken, 'EAAlong');
    assert.equal(requests.length, 2);
    assert.equal(requests[0].query, requests[1].query);
  } finally {
    await mock.stop();
  }
});
