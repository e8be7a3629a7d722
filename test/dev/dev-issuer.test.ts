// `npm start` with no AUTH_ISSUER: the embedded dev issuer, the banner's curl, and `npm run token`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { answers200, waitFor } from '../support/wait-for.ts';


test('npm start runs the dev issuer through the same remote-JWKS path; npm run token mints for it', async (t) => {
  const port = String(await freePort());
  const env = { ...process.env, PORT: port, HOST: '127.0.0.1', NODE_ENV: 'development' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  await waitFor(
    () => {
      if (child.exitCode !== null) assert.fail(stderr);
      return stdout.includes('npm run -s token');
    },
    { what: 'the dev banner' },
  );
  await waitFor(() => answers200(`${origin}/readyz`), { what: '/readyz to answer 200' });

  assert.match(stderr, /"event":"dev_issuer.enabled"/);
  // /readyz can answer before the log line crosses the stderr pipe: wait for it (still failing if it never comes).
  const keysOverHttp = /"event":"jwks.loaded".*"jwksUri":"http:\/\/127\.0\.0\.1:\d+\/dev-issuer\/jwks"/;
  await waitFor(() => keysOverHttp.test(stderr), { what: 'the jwks.loaded line naming the dev issuer\'s JWKS URL (keys came over HTTP)', timeoutMs: 5_000 });
  assert.match(stderr, keysOverHttp, 'keys came over HTTP');
  const discovery = (await (await fetch(`${origin}/dev-issuer/.well-known/openid-configuration`)).json()) as { issuer: string };
  assert.equal(discovery.issuer, `${origin}/dev-issuer`);

  // The banner's ready-to-paste curl works as printed.
  const bannerToken = /authorization: Bearer ([\w.-]+)/.exec(stdout)![1]!;
  const curl = spawnSync('curl', ['-s', `${origin}/graphql`, '-H', 'content-type: application/json', '-H', `authorization: Bearer ${bannerToken}`, '-d', '{"query":"{ me { sub roles } adminReport }"}'], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(curl.stdout), { data: { me: { sub: 'alice', roles: ['admin', 'editor'] }, adminReport: 'All systems nominal.' } });

  // The banner names the port, so the command it suggests mints for this server.
  assert.ok(stdout.includes(`Mint other tokens with: TOKEN=$(PORT=${port} npm run -s token -- --sub bob --role editor --ttl 15m)`), stdout);
  const minted = spawnSync(process.execPath, ['--import', 'tsx', 'src/dev/mint-token-cli.ts', '--sub', 'bob', '--role', 'editor', '--ttl', '2m'], { env, encoding: 'utf8' });
  assert.equal(minted.status, 0, minted.stderr);
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${minted.stdout.trim()}` },
    body: JSON.stringify({ query: '{ me { sub roles } adminReport }' }),
  });
  const body = (await response.json()) as { data: unknown; errors: { extensions: { code: string } }[] };
  assert.deepEqual(body.data, { me: { sub: 'bob', roles: ['editor'] }, adminReport: null });
  assert.deepEqual(body.errors.map((error) => error.extensions.code), ['FORBIDDEN']);

  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/dev/mint-token-cli.ts', '--ttl', 'forever'], { env, encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^claimgate token: --ttl must look like 90s, 15m or 2h, not "forever"/);
});

test('the dev key file is created with owner-only permissions', async () => {
  const { loadDevSigningKey } = await import('../../src/dev/dev-signing-key.ts');
  const { statSync } = await import('node:fs');
  const directory = new URL(`file://${join(mkdtempSync(join(tmpdir(), 'claimgate-')), 'dev')}/`);
  const first = await loadDevSigningKey(directory);
  const again = await loadDevSigningKey(directory);
  assert.equal(first.kid, again.kid, 'the key is reused');
  assert.equal(statSync(new URL('signing-key.json', directory)).mode & 0o777, 0o600);
  assert.equal('d' in first.publicJwk, false, 'the published key has no private part');
});
