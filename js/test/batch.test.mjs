// The batch exports: one result per item, in input order, with failures kept per item.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { exchange } from 'graph-token-exchange';

import { inspectValue, startMock, tokenBody } from './helpers.mjs';

const APP_SECRET = 'app-secret-value';

const EXPIRED_BODY = {
  error: { message: 'Session has expired', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'T1' },
};

test('exchangeTokens keeps input order', async () => {
  const mock = await startMock({
    byToken: {
      EAAfirst: { status: 200, json: tokenBody('EAAfirst-long', 5000) },
      THsecond: { status: 400, json: EXPIRED_BODY },
      IGfourth: { status: 200, json: tokenBody('IGfourth-long', 4000) },
    },
  });
  try {
    const requests = [
      { appId: '1234', appSecret: APP_SECRET, shortToken: 'EAAfirst' },
      { appId: '', appSecret: APP_SECRET, shortToken: 'THsecond' },
      { appId: '1234', appSecret: '', shortToken: 'EAAthird' },
      { appId: '', appSecret: APP_SECRET, shortToken: 'IGfourth', platform: 'instagram' },
    ];
    const results = exchange.exchangeTokens(requests, { baseUrl: mock.baseUrl, maxConcurrency: 2 });
    const received = await mock.requests();

    assert.equal(results.length, 4, inspectValue(results));
    assert.deepEqual(
      results.map((result) => result.tag),
      ['ok', 'err', 'err', 'ok'],
      inspectValue(results),
    );

    assert.equal(results[0].val.accessToken, 'EAAfirst-long');
    assert.equal(results[0].val.platform, 'facebook');
    assert.equal(results[0].val.expiresIn, 5000n);

    assert.equal(results[1].val.kind, 'token-expired');
    assert.equal(results[1].val.httpStatus, 400);
    assert.equal(results[1].val.graphError.errorSubcode, 463n);
    assert.equal(results[1].val.graphError.fbtraceId, 'T1');
    assert.equal(results[1].val.attempts, 1);

    assert.equal(results[2].val.kind, 'invalid-input');
    assert.equal(results[2].val.message, 'app-secret is empty; pass the App Secret from the app dashboard (App settings > Basic)');
    assert.equal(results[2].val.attempts, 0);

    assert.equal(results[3].val.accessToken, 'IGfourth-long');
    assert.equal(results[3].val.platform, 'instagram');
    assert.equal(results[3].val.expiresIn, 4000n);

    // Concurrent requests may arrive in any order; the invalid item must never be sent.
    const queries = received.map((request) => `${request.method} ${request.path}?${request.query}`).sort();
    assert.deepEqual(queries, [
      'GET /access_token?grant_type=ig_exchange_token&client_secret=app-secret-value&access_token=IGfourth',
      'GET /access_token?grant_type=th_exchange_token&client_secret=app-secret-value&access_token=THsecond',
      'GET /v26.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=app-secret-value&fb_exchange_token=EAAfirst',
    ]);
  } finally {
    await mock.stop();
  }
});

test('exchangeTokens with empty list', () => {
  // An empty batch sends nothing, so no base-url is needed to keep it off the Graph host.
  assert.deepEqual(exchange.exchangeTokens([], {}), []);
});

test('refreshTokens keeps input order', async () => {
  const mock = await startMock({
    byToken: {
      THone: { status: 200, json: tokenBody('THone-refreshed') },
      IGthree: { status: 200, json: tokenBody('IGthree-refreshed') },
    },
  });
  try {
    const results = exchange.refreshTokens(['THone', 'EAAtwo', 'IGthree'], { baseUrl: mock.baseUrl });
    const received = await mock.requests();

    assert.deepEqual(
      results.map((result) => result.tag),
      ['ok', 'err', 'ok'],
      inspectValue(results),
    );
    assert.equal(results[0].val.accessToken, 'THone-refreshed');
    assert.equal(results[0].val.platform, 'threads');
    assert.equal(results[1].val.kind, 'invalid-input');
    assert.equal(results[1].val.attempts, 0);
    assert.equal(results[2].val.accessToken, 'IGthree-refreshed');
    assert.equal(results[2].val.platform, 'instagram');

    const queries = received.map((request) => `${request.method} ${request.path}?${request.query}`).sort();
    assert.deepEqual(queries, [
      'GET /refresh_access_token?grant_type=ig_refresh_token&access_token=IGthree',
      'GET /refresh_access_token?grant_type=th_refresh_token&access_token=THone',
    ]);
  } finally {
    await mock.stop();
  }
});
