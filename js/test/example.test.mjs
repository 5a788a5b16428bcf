// Compiles examples/usage.ts with tsc and runs it against a mock Graph server, so the example
// is known to work, not only to type-check.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startMock, tokenBody } from './helpers.mjs';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tscPath = path.join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc');

let buildDir;

before(async () => {
  // The build directory sits inside the package so that the compiled example resolves the
  // package by its own name, as the TypeScript source does.
  buildDir = await mkdtemp(path.join(packageDir, '.example-build-'));
  try {
    await run(process.execPath, [tscPath, '-p', path.join(packageDir, 'tsconfig.json'), '--outDir', buildDir]);
  } catch (error) {
    // tsc writes its diagnostics to stdout.
    throw new Error(`tsc failed to compile examples/usage.ts:\n${error.stdout}${error.stderr}`);
  }
});

after(async () => {
  if (buildDir) {
    await rm(buildDir, { recursive: true, force: true });
  }
});

/** Runs the compiled example against `baseUrl`, and returns its exit code, stdout and stderr. */
async function runExample(baseUrl) {
  const environment = {
    ...process.env,
    META_APP_ID: '1234',
    META_APP_SECRET: 'app-secret-value',
    META_SHORT_TOKEN: 'EAAshort',
    GRAPH_BASE_URL: baseUrl,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(buildDir, 'usage.js')], { env: environment });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (typeof error.code !== 'number') {
      throw error;
    }
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

test('example prints the expiry', async () => {
  const mock = await startMock({ fallback: { status: 200, json: tokenBody('EAAlong', 3600) } });
  try {
    const result = await runExample(mock.baseUrl);

    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^long-lived facebook token received; expires at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z\n$/);
    assert.equal((await mock.requests()).length, 1);
  } finally {
    await mock.stop();
  }
});

test('example narrows ComponentError', async () => {
  const expired = { error: { message: 'Session has expired', type: 'OAuthException', code: 190, error_subcode: 463 } };
  const mock = await startMock({ fallback: { status: 400, json: expired } });
  try {
    const result = await runExample(mock.baseUrl);

    assert.equal(result.code, 1, result.stdout);
    assert.equal(
      result.stderr,
      'exchange failed: token-expired (Graph code 190): the token has expired (HTTP 400, code 190, subcode 463); the user must log in again to get a new short-lived token\n' +
        'next step: ask the user to log in again\n',
    );
  } finally {
    await mock.stop();
  }
});
