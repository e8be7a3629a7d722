// The published entry points, from the build this test makes (not a stale
// dist/): `claimgate` is the library alone and imports under plain Node with
// no TypeScript loader and none of the app's dependencies; `claimgate/server`
// is the app. The build goes to a fresh folder of its own (package.json and
// schema/ beside it), so neither an old dist/ nor a concurrent `npm pack`
// building into dist/ can answer for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
mkdirSync(new URL('.scratch/', ROOT), { recursive: true });
const PACKAGE = new URL(`${mkdtempSync(fileURLToPath(new URL('.scratch/package-entry-', ROOT))).split('/').pop()}/`, new URL('.scratch/', ROOT));

before(() => {
  cpSync(new URL('package.json', ROOT), new URL('package.json', PACKAGE));
  cpSync(new URL('schema/', ROOT), new URL('schema/', PACKAGE), { recursive: true });
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', ROOT));
  const build = spawnSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.build.json', ROOT)), '--outDir', fileURLToPath(new URL('dist/', PACKAGE))], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
});
after(() => rmSync(PACKAGE, { recursive: true, force: true }));

function run(script: string) {
  // Run from the fresh package: `import('claimgate')` resolves through its package.json exports (a self-reference).
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(PACKAGE) });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

test('the entry points are answered by the build this test made, file for file from src/', () => {
  const resolved = run(`console.log(JSON.stringify([import.meta.resolve('claimgate'), import.meta.resolve('claimgate/server')]))`) as string[];
  assert.deepEqual(resolved, [new URL('dist/index.js', PACKAGE).href, new URL('dist/server/index.js', PACKAGE).href]);
  const list = (dir: URL, ext: RegExp) =>
    (readdirSync(dir, { recursive: true }) as string[]).filter((file) => ext.test(file)).map((file) => file.replace(ext, '')).sort();
  assert.deepEqual(list(new URL('dist/', PACKAGE), /\.js$/), list(new URL('src/', ROOT), /\.ts$/));
});

test('"claimgate" is the library: the documented API, and no app code or app dependency loaded', () => {
  const exported = run(`console.log(JSON.stringify(Object.keys(await import('claimgate')).sort()))`) as string[];
  for (const name of [
    'useClaimgate', 'makeAuthSchema', 'authDirectiveTransformer', 'authDirectiveTypeDefs', 'apolloAuthorizationTypeDefs', 'assertDirectivePlacement',
    'createAuthContext', 'TokenVerifier', 'JwksCache', 'createIssuerConfig', 'DEFAULTS', 'ConfigError',
    'useAuthFastPath', 'useOperationLimits', 'ERROR_CODES', 'TokenRejectedError', 'KeysUnavailableError',
    'AuthSchemaError', 'REJECTION_REASONS', 'createPrincipal', 'ClaimgateError', 'CLAIMGATE_ERROR_CODES', 'FetchFailedError',
  ]) {
    assert.ok(exported.includes(name), name);
  }
  assert.ok(!exported.includes('startServer'), 'the app is not part of the library entry');
  assert.ok(!exported.includes('loadConfig'), 'the environment is read by the app, not the library');
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
  visit(new URL('dist/index.js', PACKAGE));
  const files = [...seen].map((href) => href.slice(href.indexOf('/dist/') + 6));
  assert.ok(files.includes('plugin/use-claimgate.js'), 'the walk follows the imports');
  assert.deepEqual(files.filter((file) => /^(server|dev|example|cli)\//.test(file) || file === 'main.js'), []);
  assert.deepEqual([...bare].filter((name) => name.startsWith('@apollo/') || name === 'tsx'), []);
});

test('"claimgate/server" is the app: startServer', () => {
  const exported = run(`console.log(JSON.stringify(Object.keys(await import('claimgate/server'))))`) as string[];
  assert.ok(exported.includes('startServer'));
  assert.ok(exported.includes('loadConfig'), 'the app reads the environment');
});
