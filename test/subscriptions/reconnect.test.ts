// The README's advice, as a client follows it: after TOKEN_EXPIRED (and the
// 4401 close), subscribe again with the same lazy graphql-ws client, whose
// connectionParams function returns the new token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createClient } from 'graphql-ws';
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

test('a lazy graphql-ws client reconnects with the token its connectionParams function returns now', async () => {
  let token = await issuer.mint({ sub: 'first' }, { ttl: 2 });
  const closes: number[] = [];
  const client = createClient({
    url: api.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  try {
    const first: unknown[] = [];
    for await (const result of client.iterate({ query: 'subscription { noteAdded { id } }' })) first.push(result);
    assert.deepEqual(first, [
      { errors: [{ message: 'Token expired: this subscription has ended; subscribe again with a new token.', extensions: { code: 'TOKEN_EXPIRED' } }] },
    ]);
    token = await issuer.mint({ sub: 'second' });
    const again = client.iterate({ query: 'subscription { noteAdded { text } }' });
    const next = again.next();
    // Publish until the new subscription is live (deadline-bound).
    const deadline = Date.now() + 10_000;
    let arrived: IteratorResult<unknown> | undefined;
    void next.then((value) => (arrived = value));
    while (arrived === undefined) {
      assert.ok(Date.now() < deadline, 'no event on the new connection');
      await graphql(api.graphqlUrl, { query: 'mutation { addNote(text: "after reconnect") { id } }', token });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(arrived, { done: false, value: { data: { noteAdded: { text: 'after reconnect' } } } });
    await again.return?.(undefined);
    assert.equal(closes[0], 4401);
  } finally {
    await client.dispose();
  }
});
