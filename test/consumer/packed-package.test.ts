// A new user's project: `npm pack`, the tarball installed into a fresh
// `npm init -y`-style ESM project, the README's plugin example written as is in
// TypeScript, type-checked and compiled with tsc (skipLibCheck, as `tsc --init`
// sets it: Yoga's own typings need newer lib types), run with plain node (no tsx).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';
import { postChunked } from '../support/test-api.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

const root = new URL('../../', import.meta.url).pathname;
let project: string;
let issuer: TestIssuer;

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'claimgate-consumer-'));
  sh('npm', ['pack', '--silent', '--pack-destination', project], root);
  const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'))!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-api', version: '1.0.0', private: true, type: 'module' }));
  const versions = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const pin = (name: string) => `${name}@${versions.devDependencies[name]}`;
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, pin('graphql'), pin('graphql-yoga'), pin('typescript'), pin('@types/node')], project);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using claimgate in your own server'));
  writeFileSync(join(project, 'server.ts'), /```ts\n([\s\S]*?)```/.exec(section)![1]!);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out' },
    include: ['server.ts'],
  }));
  issuer = await startTestIssuer();
  // npm pack (a full build) and a fresh npm install: minutes on a busy 2-core machine.
}, { timeout: 480_000 });
after(async () => {
  await issuer?.close();
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

test('the packed package installs into a fresh project; the README example type-checks and runs under plain node', { timeout: 300_000 }, async (t) => {
  const installed = JSON.parse(readFileSync(join(project, 'node_modules/claimgate/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  assert.ok(!('tsx' in (installed.dependencies ?? {})) && !('@apollo/subgraph' in (installed.dependencies ?? {})), 'no app-only runtime dependencies');
  assert.deepEqual(readdirSync(join(project, 'node_modules/claimgate')).sort(), ['LICENSE', 'README.md', 'dist', 'package.json', 'schema']);
  sh(join(project, 'node_modules/.bin/tsc'), ['-p', '.'], project);

  const port = await freePort();
  const child = spawn(process.execPath, ['out/server.js'], { cwd: project, env: { ...process.env, ...issuer.env(), PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) assert.fail(`not ready: ${stderr}`);
    if ((await fetch(`${origin}/readyz`).catch(() => undefined))?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ask = async (token?: string) => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: '{ hello me report }' }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    return { status: response.status, data: body.data, codes: (body.errors ?? []).map((error) => error.extensions.code) };
  };
  assert.deepEqual(await ask(), { status: 200, data: { hello: 'world', me: null, report: null }, codes: ['UNAUTHENTICATED', 'UNAUTHENTICATED'] });
  assert.deepEqual(await ask(await issuer.mint({ sub: 'ada', roles: ['admin'] })), { status: 200, data: { hello: 'world', me: 'ada', report: '42' }, codes: [] });
  assert.deepEqual(await ask('x.y.z'), { status: 401, data: undefined, codes: ['UNAUTHENTICATED'] });
  const big = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) });
  assert.equal(big.status, 413);
  const chunked = await postChunked(`${origin}/graphql`, '{"query":"{ hello }"}');
  assert.equal(chunked.status, 411);
});

test('without AUTH_ISSUER the example stops with a ConfigError naming the field, not a stack from deep inside', () => {
  const env = { ...process.env };
  delete env.AUTH_ISSUER;
  const result = spawnSync(process.execPath, ['out/server.js'], { cwd: project, env, encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /ConfigError: issuer: must be a non-empty string/);
});
