// Shared test helpers: the mock Graph server in a child process, and error capture.

import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MOCK_SERVER_PATH = fileURLToPath(new URL('./mock-server.mjs', import.meta.url));

// Time allowed for the mock to start listening or to return its request log, in milliseconds.
const MOCK_REPLY_TIMEOUT_MS = 10_000;

/**
 * Starts `mock-server.mjs` in a child process with the given reply plan and waits until it
 * listens. Returns its base URL, a function that fetches the requests it has received, and a
 * function that stops it.
 */
export async function startMock(plan = {}) {
  const child = fork(MOCK_SERVER_PATH, [JSON.stringify(plan)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const [message] = await withTimeout(once(child, 'message'), 'the mock server to start listening');
  assert.equal(message.type, 'listening', `mock server sent ${JSON.stringify(message)} before it listened`);
  const port = message.port;

  async function requests() {
    const reply = once(child, 'message');
    child.send({ type: 'requests' });
    const [log] = await withTimeout(reply, 'the mock server request log');
    assert.equal(log.type, 'requests');
    return log.requests;
  }

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = once(child, 'exit');
    child.disconnect();
    await withTimeout(exited, 'the mock server to exit');
  }

  return { baseUrl: `http://127.0.0.1:${port}`, port, requests, stop };
}

/** Resolves or rejects like `promise`, or rejects after MOCK_REPLY_TIMEOUT_MS with `description` in the message. */
async function withTimeout(promise, description) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${MOCK_REPLY_TIMEOUT_MS} ms waiting for ${description}`)),
      MOCK_REPLY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `call`, asserts that it throws jco's ComponentError, and returns the error's payload,
 * the component's `exchange-error` record.
 */
export function catchExchangeError(call) {
  let thrown;
  try {
    const value = call();
    assert.fail(`expected a ComponentError, but the call returned ${inspectValue(value)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) {
      throw error;
    }
    thrown = error;
  }
  assert.ok(thrown instanceof Error, `expected an Error, got ${inspectValue(thrown)}`);
  assert.equal(thrown.constructor.name, 'ComponentError', `unexpected error: ${thrown.stack}`);
  assert.ok(Object.hasOwn(thrown, 'payload'), 'ComponentError has no payload');
  return thrown.payload;
}

/** JSON text of `value` with BigInt values written as `123n`, for assertion messages. */
export function inspectValue(value) {
  return JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? `${item}n` : item));
}

/** Builds the JSON body of a successful Graph token response. */
export function tokenBody(accessToken, expiresIn = 5183944) {
  return { access_token: accessToken, token_type: 'bearer', expires_in: expiresIn };
}

/** Current Unix time in seconds, as a BigInt. */
export function nowUnixSeconds() {
  return BigInt(Math.floor(Date.now() / 1000));
}
