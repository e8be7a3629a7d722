// The GraphQL-over-HTTP audit of the graphql-http package, in full, against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAudits } from 'graphql-http';
import { withIssuerAndApi } from '../support/test-api.ts';

const running = withIssuerAndApi();

test('every audit passes (anonymous)', async () => {
  const audits = serverAudits({ url: running.api.graphqlUrl });
  assert.ok(audits.length >= 50, `${audits.length} audits`);
  const results = await Promise.all(audits.map(async (audit) => ({ ...(await audit.fn()), name: audit.name })));
  const notOk = results.filter((result) => result.status !== 'ok').map((result) => `${result.status}: ${result.name}`);
  assert.deepEqual(notOk, []);
});

test('every audit passes with a valid Bearer token', async () => {
  const token = await running.issuer.mint();
  const audits = serverAudits({
    url: running.api.graphqlUrl,
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
  });
  const results = await Promise.all(audits.map(async (audit) => ({ ...(await audit.fn()), name: audit.name })));
  assert.deepEqual(results.filter((result) => result.status !== 'ok').map((result) => result.name), []);
});
