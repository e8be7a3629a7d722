// The test-support servers (key server, the eight provider fixtures, the real
// OpenID provider) checked against jose itself, so a broken fixture cannot
// make a provider test pass or fail for the wrong reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('the provider fixtures and the OpenID provider verify with jose alone', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', new URL('./support/selfcheck-providers.ts', import.meta.url).pathname], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.ok(result.stdout.split('\n').filter((line) => line.startsWith('OK ')).length >= 10, result.stdout);
});
