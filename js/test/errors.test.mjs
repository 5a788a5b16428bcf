// Failures through the transpiled component: each `err` result must arrive as jco's
// ComponentError with the WIT `exchange-error` record on `payload`, every field exact.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exchange } from 'graph-token-exchange';

import { catchExchangeError, startMock, tokenBody } from './helpers.mjs';

const APP_ID = '1234';
const APP_SECRET = 'app-secret-value';

/** Builds the expected `exchange-error`: `fields` over a record whose optional fields are all none. */
function expectedError(fields) {
  return {
    kind: undefined,
    message: undefined,
    retryable: false,
    httpStatus: undefined,
    graphError: undefined,
    appUsage: undefined,
    businessUseCaseUsage: undefined,
    retryAfterSeconds: undefined,
    attempts: 0,
    ...fields,
  };
}

/** Runs `call(baseUrl)` against a mock with `plan`, and returns the error payload and the requests. */
async function failWithMock(plan, call) {
  const mock = await startMock(plan);
  try {
    const payload = catchExchangeError(() => call(mock.baseUrl));
    const requests = await mock.requests();
    return { payload, requests, port: mock.port };
  } finally {
    await mock.stop();
  }
}

test('exchangeToken rejects invalid input', () => {
  // Invalid input is rejected before any request, so these calls never reach the Graph host.
  const cases = [
    ['1234', '', 'EAAshort', 'app-secret is empty; pass the App Secret from the app dashboard (App settings > Basic)'],
    ['', APP_SECRET, 'EAAshort', 'app-id is empty; Facebook requires it: copy the App ID from the app dashboard (App settings > Basic)'],
    ['12a4', APP_SECRET, 'EAAshort', 'app-id must contain only digits; copy the App ID from the app dashboard (App settings > Basic)'],
    ['1234', APP_SECRET, 'EAA%2Bshort', "short-token contains '%', so it looks percent-encoded; pass the decoded token, because it is encoded once here"],
    ['1234', 'app secret', 'EAAshort', 'app-secret contains whitespace or a control character; pass the App Secret from the app dashboard (App settings > Basic), without spaces or line breaks'],
  ];
  for (const [appId, appSecret, shortToken, message] of cases) {
    const payload = catchExchangeError(() => exchange.exchangeToken(appId, appSecret, shortToken));
    assert.deepEqual(payload, expectedError({ kind: 'invalid-input', message }), `case ${JSON.stringify([appId, shortToken])}`);
  }
});

test('invalid input sends no request', async () => {
  const { payload, requests } = await failWithMock({}, (baseUrl) =>
    exchange.exchangeTokenWith(APP_ID, '', 'EAAshort', { baseUrl }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'invalid-input',
      message: 'app-secret is empty; pass the App Secret from the app dashboard (App settings > Basic)',
    }),
  );
  assert.deepEqual(requests, []);
});

test('invalid options send no request', async () => {
  const mock = await startMock({});
  try {
    const cases = [
      [{ baseUrl: mock.baseUrl, timeoutMs: 0 }, 'options.timeout-ms is out of range; pass 1 to 600000 milliseconds, or none for the default of 30000'],
      [{ baseUrl: mock.baseUrl, maxAttempts: 11 }, 'options.max-attempts is out of range; pass 1 to 10 requests, or none for the default of 3'],
      [{ baseUrl: mock.baseUrl, apiVersion: '26.0' }, 'options.api-version is invalid; pass a Graph API version such as v26.0, or none for the default'],
      [{ baseUrl: `ftp://127.0.0.1:${mock.port}` }, 'options.base-url is invalid: the scheme must be https, or http to a loopback host; pass a URL such as https://graph-proxy.example.com or http://127.0.0.1:8080'],
      [{ baseUrl: `${mock.baseUrl}/?debug=1` }, "options.base-url is invalid: it contains a query ('?'); pass a URL such as https://graph-proxy.example.com or http://127.0.0.1:8080"],
    ];
    for (const [options, message] of cases) {
      const payload = catchExchangeError(() => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', options));
      assert.deepEqual(payload, expectedError({ kind: 'invalid-input', message }), `options ${JSON.stringify(options)}`);
    }

    assert.deepEqual(await mock.requests(), []);
  } finally {
    await mock.stop();
  }
});

test('facebook refresh is invalid input', async () => {
  const { payload, requests } = await failWithMock({}, (baseUrl) => exchange.refreshToken('EAAlong', { baseUrl }));

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'invalid-input',
      message:
        'token does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with exchange-token instead, or set options.platform if this is a Threads or Instagram token',
    }),
  );
  assert.deepEqual(requests, []);
});

test('graph error 190/463 is token-expired', async () => {
  const graphBody = {
    error: {
      message: 'Error validating access token: Session has expired on Monday, 01-Dec-25 10:00:00 PST.',
      type: 'OAuthException',
      code: 190,
      error_subcode: 463,
      fbtrace_id: 'AbC123xyz',
      is_transient: false,
      error_user_title: 'Session expired',
      error_user_msg: 'Please log in again.',
    },
  };
  const { payload } = await failWithMock({ fallback: { status: 400, json: graphBody } }, (baseUrl) =>
    exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'token-expired',
      message: 'the token has expired (HTTP 400, code 190, subcode 463); the user must log in again to get a new short-lived token',
      httpStatus: 400,
      graphError: {
        message: 'Error validating access token: Session has expired on Monday, 01-Dec-25 10:00:00 PST.',
        errorType: 'OAuthException',
        code: 190n,
        errorSubcode: 463n,
        fbtraceId: 'AbC123xyz',
        isTransient: false,
        errorUserTitle: 'Session expired',
        errorUserMsg: 'Please log in again.',
      },
      attempts: 1,
    }),
  );
});

test('graph error is thrown as ComponentError', async () => {
  const mock = await startMock({ fallback: { status: 400, json: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } } });
  try {
    let thrown;
    try {
      exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl: mock.baseUrl });
    } catch (error) {
      thrown = error;
    }

    assert.ok(thrown instanceof Error);
    assert.equal(thrown.name, 'Error');
    assert.equal(thrown.constructor.name, 'ComponentError');
    assert.equal(thrown.payload.kind, 'invalid-token');
    assert.equal(thrown.payload.graphError.code, 190n);
    assert.equal(thrown.payload.graphError.errorSubcode, undefined);
  } finally {
    await mock.stop();
  }
});

test('credentials in graph error are redacted', async () => {
  const body = { error: { message: `Error validating client secret ${APP_SECRET} for token EAAshort`, type: 'OAuthException', code: 1 } };
  const { payload } = await failWithMock({ fallback: { status: 400, json: body } }, (baseUrl) =>
    exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.equal(payload.kind, 'invalid-credentials');
  assert.equal(payload.retryable, false);
  assert.equal(payload.graphError.message, 'Error validating client secret [redacted] for token [redacted]');
  assert.equal(
    payload.message,
    "Graph rejected the app credentials (HTTP 400, code 1); check app-id and app-secret in the app dashboard",
  );
});

test('rate limit keeps usage headers', async () => {
  const appUsage = '{"call_count":100,"total_cputime":20,"total_time":35}';
  const businessUsage = '{"1234":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":5}]}';
  const { payload, requests } = await failWithMock(
    {
      fallback: {
        status: 400,
        headers: { 'X-App-Usage': appUsage, 'X-Business-Use-Case-Usage': businessUsage, 'Retry-After': '120' },
        json: { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4, fbtrace_id: 'F1' } },
      },
    },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'rate-limited',
      message: 'Graph rate-limited the app or user (HTTP 400, code 4); wait before the next call, at least retry-after-seconds when set, and see app-usage',
      retryable: true,
      httpStatus: 400,
      graphError: {
        message: 'Application request limit reached',
        errorType: 'OAuthException',
        code: 4n,
        errorSubcode: undefined,
        fbtraceId: 'F1',
        isTransient: undefined,
        errorUserTitle: undefined,
        errorUserMsg: undefined,
      },
      appUsage,
      businessUseCaseUsage: businessUsage,
      retryAfterSeconds: 120,
      attempts: 1,
    }),
  );
  assert.equal(requests.length, 1, 'a rate-limited request must not be retried');
});

test('repeated 503 is upstream-unavailable', async () => {
  const { payload, requests, port } = await failWithMock(
    { fallback: { status: 503, headers: { 'content-type': 'text/html' }, body: '<html>Service Unavailable</html>' } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl, maxAttempts: 2 }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'upstream-unavailable',
      message: `127.0.0.1:${port} returned HTTP 503 without a Graph error; the service may be down or overloaded, so retry later`,
      retryable: true,
      httpStatus: 503,
      attempts: 2,
    }),
  );
  assert.equal(requests.length, 2);
});

test('redirect is not followed', async () => {
  const { payload, requests, port } = await failWithMock(
    { fallback: { status: 302, headers: { location: '/elsewhere' } } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'unexpected-response',
      message: `127.0.0.1:${port} answered with a redirect (HTTP 302), which is not followed because the request carries the app secret; check options.base-url, or a proxy in between`,
      httpStatus: 302,
      attempts: 1,
    }),
  );
  assert.equal(requests.length, 1);
  assert.equal(requests[0].path, '/v26.0/oauth/access_token');
});

test('html page is unexpected-response', async () => {
  const { payload, port } = await failWithMock(
    { fallback: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in to Wi-Fi</html>' } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'unexpected-response',
      message: `127.0.0.1:${port} returned HTTP 200 with a body that is not JSON (such as an HTML page); check options.base-url, or a proxy or captive portal in between`,
      httpStatus: 200,
      attempts: 1,
    }),
  );
});

test('slow server is timeout', async () => {
  const { payload, requests } = await failWithMock(
    { fallback: { status: 200, json: { access_token: 'EAAlate' }, delayMs: 5000 } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl, timeoutMs: 300, maxAttempts: 1 }),
  );

  assert.equal(payload.kind, 'timeout');
  assert.equal(payload.retryable, true);
  assert.equal(payload.httpStatus, undefined);
  assert.equal(payload.attempts, 1);
  assert.equal(requests.length, 1);
});

test('closed port is transport error', async () => {
  // Start a mock only to learn a free loopback port, then stop it so that nothing listens there.
  const mock = await startMock({});
  const baseUrl = mock.baseUrl;
  await mock.stop();

  const payload = catchExchangeError(() =>
    exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl, maxAttempts: 1 }),
  );

  assert.equal(payload.kind, 'transport');
  assert.match(payload.message, /connection-refused/);
  assert.equal(payload.httpStatus, undefined);
  assert.equal(payload.attempts, 1);
  assert.doesNotMatch(payload.message, new RegExp(APP_SECRET));
});

test('oversized body is response-too-large', async () => {
  // One body is sent chunked, so only reading stops it; the other declares its length up front.
  const oversized = JSON.stringify({ access_token: 'EAAlong', padding: 'x'.repeat(70 * 1024) });
  const replies = [
    { status: 200, headers: { 'content-type': 'application/json' }, body: oversized },
    { status: 200, headers: { 'content-type': 'application/json', 'content-length': String(oversized.length) }, body: oversized },
  ];
  for (const reply of replies) {
    const { payload, requests, port } = await failWithMock({ fallback: reply }, (baseUrl) =>
      exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl }),
    );

    assert.deepEqual(
      payload,
      expectedError({
        kind: 'response-too-large',
        message: `the response body from 127.0.0.1:${port} is larger than 65536 bytes, far beyond any token response; check options.base-url`,
        httpStatus: 200,
        attempts: 1,
      }),
      `headers ${JSON.stringify(reply.headers)}`,
    );
    assert.equal(requests.length, 1);
  }
});

test('connection reset mid-body is transport', async () => {
  // The component must map a failed body read without asking jco's shim for the wasi:http error
  // code, which can trap there.
  const { payload, requests, port } = await failWithMock(
    { fallback: { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(tokenBody('EAAlong')), resetAfterBytes: 10 } },
    (baseUrl) => exchange.exchangeTokenWith(APP_ID, APP_SECRET, 'EAAshort', { baseUrl, maxAttempts: 1 }),
  );

  assert.deepEqual(
    payload,
    expectedError({
      kind: 'transport',
      message: `the connection to 127.0.0.1:${port} failed while reading the response body (HTTP 200); retry later`,
      retryable: true,
      httpStatus: 200,
      attempts: 1,
    }),
  );
  assert.equal(requests.length, 1);
});
