// Packs the package with `npm pack`, installs the tarball into a new Node project, and calls the
// component from there by package name, as a user of the published package would.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startMock, tokenBody } from './helpers.mjs';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// npm install of the tarball takes a few seconds from npm's cache and longer from the registry.
const PACK_TEST_TIMEOUT_MS = 300_000;

// The consumer's script: one exchange against the base URL in argv[2], printed as JSON.
const CONSUMER_SCRIPT = `
import { exchange } from 'graph-token-exchange';

const token = exchange.exchangeTokenWith('1234', 'app-secret-value', 'EAAshort', { baseUrl: process.argv[2] });
console.log(JSON.stringify(token, (_, value) => (typeof value === 'bigint' ? String(value) : value)));
`;

let workDir;
let packed;

before(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'graph-token-exchange-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: packageDir });
  [packed] = JSON.parse(stdout);
});

after(async () => {
  if (workDir) {
    await rm(workDir, { recursive: true, force: true });
  }
});

test('tarball ships dist and README only', () => {
  const files = packed.files.map((file) => file.path).sort();

  for (const expected of [
    'README.md',
    'dist/graph-token-exchange.core.wasm',
    'dist/graph-token-exchange.d.ts',
    'dist/graph-token-exchange.js',
    'dist/interfaces/graph-token-exchange-exchange.d.ts',
    'package.json',
  ]) {
    assert.ok(files.includes(expected), `${expected} missing from the tarball: ${files.join(', ')}`);
  }
  const unexpected = files.filter((file) => !file.startsWith('dist/') && !['README.md', 'package.json'].includes(file));
  assert.deepEqual(unexpected, []);
});

test('installed tarball exchanges a token', { timeout: PACK_TEST_TIMEOUT_MS }, async () => {
  const consumerDir = path.join(workDir, 'consumer');
  await mkdir(consumerDir);
  await writeFile(
    path.join(consumerDir, 'package.json'),
    JSON.stringify({ name: 'pack-test-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2),
  );
  await writeFile(path.join(consumerDir, 'main.mjs'), CONSUMER_SCRIPT);
  await run('npm', ['install', '--no-audit', '--no-fund', path.join(workDir, packed.filename)], { cwd: consumerDir });

  const mock = await startMock({ fallback: { status: 200, json: tokenBody('EAAlong', 3600) } });
  try {
    const { stdout } = await run(process.execPath, ['main.mjs', mock.baseUrl], { cwd: consumerDir });
    const token = JSON.parse(stdout);
    const requests = await mock.requests();

    assert.equal(token.accessToken, 'EAAlong');
    assert.equal(token.expiresIn, '3600');
    assert.equal(token.platform, 'facebook');
    assert.equal(requests.length, 1);
    assert.equal(requests[0].path, '/v26.0/oauth/access_token');
  } finally {
    await mock.stop();
  }
});
