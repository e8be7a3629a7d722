// No stream outlives its token or its key, on either transport: a token
// minted to expire in ~2 s (clock tolerance 0), a JWKS that drops the key,
// and a clock that jumps past `exp` before the timer fires.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { createTestKey, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { connectWs, primed, rawSse, subscribeSse, type Collected, type StreamResult, type WsConnection } from '../support/subscription-clients.ts';

const DOCUMENT_CHANGED = 'subscription ($id: ID!) { documentChanged(id: $id) { id title } }';
const NOTE_ADDED = 'subscription { noteAdded { id text } }';
const EDITOR = { roles: ['editor'], scope: 'documents:watch' };
/** Seconds a short-lived token lives: long enough to subscribe and see an event on a loaded machine, short enough to wait for. */
const SHORT_TTL = 5;
const EXPIRED = { message: 'Token expired: this subscription has ended; subscribe again with a new token.', extensions: { code: 'TOKEN_EXPIRED' } };
const RETIRED = {
  message: 'Token key retired: the key that signed the token is no longer published; subscribe again with a new token.',
  extensions: { code: 'TOKEN_KEY_RETIRED' },
};

let issuer: TestIssuer;
let api: TestApi;
const sockets: WsConnection[] = [];
const streams: Collected[] = [];

before(async () => {
  issuer = await startTestIssuer();
  api = await startTestApi(issuer.env({ AUTH_CLOCK_TOLERANCE: '0' }));
});
after(async () => {
  for (const stream of streams) stream.stop();
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await api?.close();
  await issuer?.close();
});

function connect(token: string): WsConnection {
  const connection = connectWs(api.graphqlUrl, { connectionParams: { authorization: `Bearer ${token}` } });
  sockets.push(connection);
  return connection;
}

function sse(query: string, token: string | undefined, variables?: Record<string, unknown>): Collected {
  const stream = subscribeSse(api.graphqlUrl, query, { ...(variables === undefined ? {} : { variables }), headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  streams.push(stream);
  return stream;
}

async function rename(id: string, title: string): Promise<void> {
  const response = await graphql(api.graphqlUrl, {
    query: 'mutation ($id: ID!, $title: String!) { renameDocument(id: $id, title: $title) { id } }',
    variables: { id, title },
    token: await issuer.mint({ roles: ['editor'] }),
  });
  assert.deepEqual(response.body, { data: { renameDocument: { id } } });
}

const withoutWarmUps = (results: StreamResult[]) => results.filter((result) => !JSON.stringify(result).includes('warm-up'));

describe('a token that expires while its streams are open', () => {
  test('WebSocket: events, then TOKEN_EXPIRED at exp (no event needed to notice), complete, and the socket closes 4401', async () => {
    // Anonymous subscriptions to a public field, on both transports, live on.
    const anonymousSocket = connectWs(api.graphqlUrl);
    sockets.push(anonymousSocket);
    const anonymousWs = anonymousSocket.subscribe(NOTE_ADDED);
    const anonymousSse = sse(NOTE_ADDED, undefined);
    const addNote = async (text: string) => graphql(api.graphqlUrl, { query: 'mutation ($text: String!) { addNote(text: $text) { id } }', variables: { text }, token: await issuer.mint() });
    await primed(anonymousWs, () => addNote('warm-up'));
    await primed(anonymousSse, () => addNote('warm-up'));
    // Minted last, with room for a loaded machine: 4 to 5 s.
    const token = await issuer.mint(EDITOR, { ttl: SHORT_TTL });
    const expiresAtMs = decodeJwt(token).exp! * 1000;
    const connection = connect(token);
    const changes = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    const notes = connection.subscribe(NOTE_ADDED);
    await primed(changes, () => rename('d1', 'warm-up'));
    const seen = changes.results.length;
    await rename('d1', 'before expiry');
    await changes.waitFor(seen + 1);
    // Nothing is published from here on: only the timer can end the streams.
    await changes.ended();
    await notes.ended();
    const closed = await connection.closed();
    const endedAt = Date.now();
    assert.ok(endedAt >= expiresAtMs, `ended ${expiresAtMs - endedAt} ms before exp`);
    assert.deepEqual(withoutWarmUps(changes.results), [{ data: { documentChanged: { id: 'd1', title: 'before expiry' } } }, { errors: [EXPIRED] }]);
    assert.deepEqual([changes.completed, changes.error], [true, undefined]);
    // A public subscription of that connection ends too: every operation of the connection.
    assert.deepEqual([withoutWarmUps(notes.results), notes.completed], [[{ errors: [EXPIRED] }], true]);
    assert.deepEqual(closed, { code: 4401, reason: 'TOKEN_EXPIRED' });
    const [wsSeen, sseSeen] = [anonymousWs.results.length, anonymousSse.results.length];
    await addNote('after expiry');
    await anonymousWs.waitFor(wsSeen + 1);
    await anonymousSse.waitFor(sseSeen + 1);
    assert.deepEqual([anonymousWs.completed, anonymousSse.completed, anonymousSocket.closes], [false, false, []]);
  });

  test('SSE: events, then TOKEN_EXPIRED at exp, then the stream completes', async () => {
    const token = await issuer.mint(EDITOR, { ttl: SHORT_TTL });
    const expiresAtMs = decodeJwt(token).exp! * 1000;
    const changes = sse(DOCUMENT_CHANGED, token, { id: 'd2' });
    await primed(changes, () => rename('d2', 'warm-up'));
    const seen = changes.results.length;
    await rename('d2', 'before expiry');
    await changes.waitFor(seen + 1);
    await changes.ended();
    assert.ok(Date.now() >= expiresAtMs);
    assert.deepEqual(withoutWarmUps(changes.results), [{ data: { documentChanged: { id: 'd2', title: 'before expiry' } } }, { errors: [EXPIRED] }]);
    assert.deepEqual([changes.completed, changes.error], [true, undefined]);
  });

  test('SSE on the wire: `next` events, the final error as `next`, then `complete`', async () => {
    const token = await issuer.mint(EDITOR, { ttl: 3 });
    const stream = await rawSse(api.graphqlUrl, 'subscription { noteAdded { id } }', { authorization: `Bearer ${token}` });
    await stream.finished();
    assert.equal(stream.response.status, 200);
    assert.match(stream.response.headers.get('content-type')!, /^text\/event-stream/);
    assert.deepEqual(stream.events, [{ event: 'next', data: { errors: [EXPIRED] } }, { event: 'complete', data: undefined }]);
  });
});

describe('a key-set refresh that drops the key that signed the token', () => {
  test('ends its streams on both transports with TOKEN_KEY_RETIRED (and the socket with 4401); others go on', async () => {
    const token = await issuer.mint(EDITOR);
    const connection = connect(token);
    const overWs = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    const overSse = sse(DOCUMENT_CHANGED, token, { id: 'd1' });
    const anonymous = connectWs(api.graphqlUrl);
    sockets.push(anonymous);
    const publicNotes = anonymous.subscribe(NOTE_ADDED);
    await primed(overWs, () => rename('d1', 'warm-up'));
    await primed(overSse, () => rename('d1', 'warm-up'));
    await primed(publicNotes, () => graphql(api.graphqlUrl, { query: 'mutation { addNote(text: "warm-up") { id } }', token }));

    const [original] = issuer.keys;
    const next = await createTestKey();
    try {
      // A refresh that keeps the key changes nothing: the streams still deliver.
      issuer.publish([original!, next]);
      await api.server.verifier.keyCaches[0]!.reload();
      const [wsSeen, sseSeen] = [overWs.results.length, overSse.results.length];
      await rename('d1', 'kept');
      await overWs.waitFor(wsSeen + 1);
      await overSse.waitFor(sseSeen + 1);
      // The provider retires the key; the next refresh sees it gone.
      issuer.publish([next]);
      await api.server.verifier.keyCaches[0]!.reload();
      await overWs.ended();
      await overSse.ended();
      const kept = { data: { documentChanged: { id: 'd1', title: 'kept' } } };
      assert.deepEqual(withoutWarmUps(overWs.results), [kept, { errors: [RETIRED] }]);
      assert.deepEqual(withoutWarmUps(overSse.results), [kept, { errors: [RETIRED] }]);
      assert.deepEqual(await connection.closed(), { code: 4401, reason: 'TOKEN_KEY_RETIRED' });
      // The anonymous public stream is untouched, and a token of the new key subscribes.
      const newToken = await issuer.mint(EDITOR, { key: next });
      const again = connect(newToken).subscribe(DOCUMENT_CHANGED, { id: 'd1' });
      await primed(again, () => graphql(api.graphqlUrl, { query: 'mutation { renameDocument(id: "d1", title: "warm-up") { id } }', token: newToken }));
      assert.deepEqual([publicNotes.completed, anonymous.closes], [false, []]);
    } finally {
      issuer.publish([original!, next]);
      await api.server.verifier.keyCaches[0]!.reload();
    }
  });
});

describe('a clock past exp before the timer fires (injected clock)', () => {
  let jumped: TestApi;
  let offsetMs = 0;
  before(async () => {
    jumped = await startTestApi(issuer.env({ AUTH_CLOCK_TOLERANCE: '0' }), { verifier: { now: () => Date.now() + offsetMs } });
  });
  after(() => jumped?.close());

  test('an event that arrives after exp is never delivered: the stream ends with TOKEN_EXPIRED instead', async () => {
    const token = await issuer.mint(EDITOR, { ttl: 600 });
    const changes = subscribeSse(jumped.graphqlUrl, DOCUMENT_CHANGED, { variables: { id: 'd1' }, headers: { authorization: `Bearer ${token}` } });
    streams.push(changes);
    const renameHere = async (title: string) => {
      await graphql(jumped.graphqlUrl, { query: 'mutation ($t: String!) { renameDocument(id: "d1", title: $t) { id } }', variables: { t: title }, token: await issuer.mint({ roles: ['editor'] }) });
    };
    await primed(changes, () => renameHere('warm-up'));
    offsetMs = 601_000;
    // The mutation's own token is verified with the jumped clock too: mint it for then.
    const late = await issuer.mint({ roles: ['editor'], iat: Math.floor((Date.now() + offsetMs) / 1000), exp: Math.floor((Date.now() + offsetMs) / 1000) + 600 });
    await graphql(jumped.graphqlUrl, { query: 'mutation { renameDocument(id: "d1", title: "after expiry") { id } }', token: late });
    await changes.ended();
    assert.deepEqual(withoutWarmUps(changes.results), [{ errors: [EXPIRED] }]);
    offsetMs = 0;
  });

  test('on a WebSocket whose token has passed exp, no new operation starts, even before the connection\'s timer fires', async () => {
    const token = await issuer.mint(EDITOR, { ttl: 600 });
    const connection = connectWs(jumped.graphqlUrl, { connectionParams: { authorization: `Bearer ${token}` } });
    sockets.push(connection);
    const before = connection.subscribe('{ me { sub } }');
    await before.ended();
    assert.deepEqual(before.results, [{ data: { me: { sub: 'alice' } } }]);
    offsetMs = 601_000;
    try {
      const after = connection.subscribe('{ me { sub } }');
      await after.ended();
      assert.deepEqual([after.results, JSON.parse(JSON.stringify(after.error))], [[], [EXPIRED]]);
    } finally {
      offsetMs = 0;
    }
  });
});
