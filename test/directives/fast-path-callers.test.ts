// The fast path decides per operation *and per caller*: an admin's "allow"
// for a query text must never carry over to the next caller of the same text
// (Yoga caches the parsed document, so the document object is shared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, graphql, withIssuerAndApi } from '../support/test-api.ts';

const running = withIssuerAndApi();
const QUERY = '{ adminReport documents(limit: 2) { id } }';

test('the same query text as admin, then anonymous, then a reader, then admin again: each caller judged alone', async () => {
  const admin = await running.issuer.mint({ roles: ['admin', 'editor'] });
  const reader = await running.issuer.mint({ roles: ['reader'] });
  const ask = (token?: string) => graphql(running.api.graphqlUrl, { query: QUERY, ...(token === undefined ? {} : { token }) });
  const first = await ask(admin);
  assert.deepEqual([first.body.data, errorCodes(first)], [{ adminReport: 'All systems nominal.', documents: [{ id: 'doc-0' }, { id: 'doc-1' }] }, []]);
  const anonymous = await ask();
  assert.deepEqual([anonymous.body.data, errorCodes(anonymous)], [null, ['UNAUTHENTICATED', 'UNAUTHENTICATED']]);
  const lacking = await ask(reader);
  assert.deepEqual([lacking.body.data, errorCodes(lacking)], [null, ['FORBIDDEN', 'FORBIDDEN']]);
  const again = await ask(admin);
  assert.deepEqual(errorCodes(again), []);
});
