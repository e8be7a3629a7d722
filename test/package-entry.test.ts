// The published entry point: the compiled build (made by `npm run build`,
// which `npm install` runs through `prepare`) imports under plain Node, with no
// TypeScript loader, and exports what the README documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('"claimgate" resolves to the compiled build and exports the documented API', () => {
  const script = `
    const api = await import('claimgate');
    console.log(JSON.stringify(Object.keys(api).sort()));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const exported: string[] = JSON.parse(result.stdout);
  for (const name of [
    'makeAuthSchema', 'authDirectiveTransformer', 'authDirectiveTypeDefs', 'apolloAuthorizationTypeDefs', 'assertDirectivePlacement',
    'createAuthContext', 'TokenVerifier', 'JwksCache', 'loadConfig', 'createIssuerConfig', 'DEFAULTS', 'ConfigError',
    'useHealthEndpoints', 'useAuthFastPath', 'startServer', 'ERROR_CODES', 'TokenRejectedError', 'KeysUnavailableError',
    'AuthSchemaError', 'REJECTION_REASONS', 'createPrincipal',
  ]) {
    assert.ok(exported.includes(name), name);
  }
});
