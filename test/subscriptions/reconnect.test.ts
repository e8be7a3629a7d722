// The README's advice, as a client follows it: after the TOKEN_EXPIRED
// result, dispose the graphql-ws client and subscribe again with a new one
// whose connectionParams carry the new token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

let issuer: TestIssuer;
let api: TestApi;
before(async () => {
  issuer = await startTestIssuer();
  api = await startTestApi(issuer.env({ AUTH_CLOCK_TOLERANCE: '0' }));
});
after(async () => {
  await api?.close();
  await issuer?.close();
});

function newClient(getToken: () => string, closes: number[]): Client {
  return createClient({
    url: api.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: () => ({ authorization: `Bearer ${getToken()}` }),
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
}

test('after TOKEN_EXPIRED, a new client with the new token subscribes again', async () => {
  let token = await issuer.mint({ sub: 'first' }, { ttl: 3 });
  const closes: number[] = [];
  const first = newClient(() => token, closes);
  const results: unknown[] = [];
  for await (const result of first.iterate({ query: 'subscription { noteAdded { id } }' })) results.push(result);
  assert.deepEqual(results, [
    { errors: [{ message: 'Token expired: this subscription has ended; subscribe again with a new token.', extensions: { code: 'TOKEN_EXPIRED' } }] },
  ]);
  await first.dispose();

  token = await issuer.mint({ sub: 'second' });
  const second = newClient(() => token, closes);
  try {
    const again = second.iterate({ query: 'subscription { noteAdded { text } }' });
    let settled: { value?: IteratorResult<unknown>; error?: unknown } | undefined;
    again.next().then((value) => (settled = { value }), (error: unknown) => (settled = { error }));
    // Publish until the new subscription is live (deadline-bound).
    const deadline = Date.now() + 10_000;
    while (settled === undefined) {
      assert.ok(Date.now() < deadline, 'no event on the new connection');
      await graphql(api.graphqlUrl, { query: 'mutation { addNote(text: "after reconnect") { id } }', token });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(settled, { value: { done: false, value: { data: { noteAdded: { text: 'after reconnect' } } } } });
    await again.return?.(undefined);
  } finally {
    await second.dispose();
  }
});
