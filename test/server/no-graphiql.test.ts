// npm start serves no GraphiQL page (Yoga's loads its scripts from a CDN and
// fails offline), not even with the development issuer; the README does not
// advertise one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startTestApi } from '../support/test-api.ts';

test('a browser asking for /graphql (Accept: text/html) gets no HTML page and nothing from a CDN', async (t) => {
  const api = await startTestApi({}); // AUTH_ISSUER unset: the development issuer, as a newcomer runs it
  t.after(() => api.close());
  for (const path of ['/graphql', '/']) {
    const response = await fetch(`${api.origin}${path}`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    const body = await response.text();
    assert.ok(!(response.headers.get('content-type') ?? '').includes('text/html'), path);
    assert.ok(!/unpkg|graphiql/i.test(body), `${path}: ${body.slice(0, 200)}`);
  }
});

test('the README does not advertise GraphiQL', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const mentions = readme.split('\n').filter((line) => /graphiql/i.test(line));
  // Only the statement that it is off, and the library example turning it off.
  assert.deepEqual(mentions.filter((line) => !/graphiql: false|no GraphiQL|GraphiQL is off/i.test(line)), []);
});
