// The README's "Using claimgate in your own server" example, run as written
// (only its import is pointed at the source), against a real issuer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from './support/free-port.ts';
import { startTestIssuer } from './support/test-issuer.ts';

test('the schema snippet in "Protecting your schema" builds', async () => {
  const { apolloAuthorizationTypeDefs, makeAuthSchema } = await import('../src/index.ts');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Protecting your schema'));
  const sdl = /```graphql\n([\s\S]*?)```/.exec(section)![1]!;
  const schema = makeAuthSchema({ typeDefs: [apolloAuthorizationTypeDefs, sdl] });
  assert.deepEqual(Object.keys(schema.getQueryType()!.getFields()).length, 9);
});

test('the library example in the README works', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Using claimgate in your own server'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
  const source = code.replace("from 'claimgate'", `from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)}`);
  // Inside node_modules/.cache so that the example's own imports resolve from this package.
  const directory = new URL('../node_modules/.cache/claimgate/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL('readme-example.mts', directory);
  writeFileSync(file, source);

  const issuer = await startTestIssuer();
  t.after(() => issuer.close());
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', file.pathname], {
    env: { ...process.env, ...issuer.env(), PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const origin = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) assert.fail(stderr);
    const ready = await fetch(`${origin}/readyz`).catch(() => undefined);
    if (ready?.status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ask = async (token?: string) => {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: '{ hello me report }' }),
    });
    const body = (await response.json()) as { data: unknown; errors?: { extensions: { code: string } }[] };
    return { status: response.status, data: body.data, codes: (body.errors ?? []).map((error) => error.extensions.code) };
  };
  assert.deepEqual(await ask(), { status: 200, data: { hello: 'world', me: null, report: null }, codes: ['UNAUTHENTICATED', 'UNAUTHENTICATED'] });
  assert.deepEqual(await ask(await issuer.mint({ sub: 'ada', roles: ['admin'] })), { status: 200, data: { hello: 'world', me: 'ada', report: '42' }, codes: [] });
  assert.equal((await ask('x.y.z')).status, 401);
});
