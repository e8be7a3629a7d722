// The published entry points, from the build this test makes (not a stale
// dist/): `claimgate` is the library alone and imports under plain Node with
// no TypeScript loader and none of the app's dependencies; `claimgate/server`
// is the app.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

before(() => {
  const build = spawnSync('npm', ['run', '-s', 'build'], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
});

function run(script: string) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

test('"claimgate" is the library: the documented API, and no app code or app dependency loaded', () => {
  const exported = run(`console.log(JSON.stringify(Object.keys(await import('claimgate')).sort()))`) as string[];
  for (const name of [
    'useClaimgate', 'makeAuthSchema', 'authDirectiveTransformer', 'authDirectiveTypeDefs', 'apolloAuthorizationTypeDefs', 'assertDirectivePlacement',
    'createAuthContext', 'TokenVerifier', 'JwksCache', 'loadConfig', 'createIssuerConfig', 'DEFAULTS', 'ConfigError',
    'useAuthFastPath', 'useOperationLimits', 'ERROR_CODES', 'TokenRejectedError', 'KeysUnavailableError',
    'AuthSchemaError', 'REJECTION_REASONS', 'createPrincipal', 'ClaimgateError', 'CLAIMGATE_ERROR_CODES', 'FetchFailedError',
  ]) {
    assert.ok(exported.includes(name), name);
  }
  assert.ok(!exported.includes('startServer'), 'the app is not part of the library entry');
});

test('the library entry does not import the app layer (no @apollo/subgraph, tsx, example, dev issuer or server)', () => {
  // Walk the compiled import graph from dist/index.js.
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: URL) => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      if (specifier!.startsWith('.')) visit(new URL(specifier!, file));
      else bare.add(specifier!);
    }
  };
  visit(new URL('../dist/index.js', import.meta.url));
  const files = [...seen].map((href) => href.slice(href.indexOf('/dist/') + 6));
  assert.ok(files.includes('plugin/use-claimgate.js'), 'the walk follows the imports');
  assert.deepEqual(files.filter((file) => /^(server|dev|example)\//.test(file)), []);
  assert.deepEqual([...bare].filter((name) => name.startsWith('@apollo/') || name === 'tsx'), []);
});

test('"claimgate/server" is the app: startServer', () => {
  const exported = run(`console.log(JSON.stringify(Object.keys(await import('claimgate/server'))))`) as string[];
  assert.ok(exported.includes('startServer'));
});
