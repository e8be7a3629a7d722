// GraphQL over WebSocket (graphql-ws) as `npm start` serves it: the real
// server, a real graphql-ws client over a real socket, real tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { connectWs, primed, type Collected, type StreamResult, type WsConnection } from '../support/subscription-clients.ts';

const DOCUMENT_CHANGED = 'subscription ($id: ID!) { documentChanged(id: $id) { id title } }';
const NOTE_ADDED = 'subscription { noteAdded { id text } }';
const EDITOR = { roles: ['editor'], scope: 'documents:watch' };

let issuer: TestIssuer;
let api: TestApi;
const open: WsConnection[] = [];

before(async () => {
  issuer = await startTestIssuer();
  api = await startTestApi(issuer.env({ LIMIT_WS_MAX_SUBSCRIPTIONS: '2', LIMIT_WS_INIT_TIMEOUT_MS: '300' }));
});
after(async () => {
  await Promise.all(open.map((connection) => connection.dispose()));
  await api?.close();
  await issuer?.close();
});

function connect(options: Parameters<typeof connectWs>[1] = {}): WsConnection {
  const connection = connectWs(api.graphqlUrl, options);
  open.push(connection);
  return connection;
}

async function rename(id: string, title: string): Promise<void> {
  const response = await graphql(api.graphqlUrl, {
    query: 'mutation ($id: ID!, $title: String!) { renameDocument(id: $id, title: $title) { id } }',
    variables: { id, title },
    token: await issuer.mint({ roles: ['editor'] }),
  });
  assert.deepEqual(response.body, { data: { renameDocument: { id } } });
}

async function addNote(text: string): Promise<string> {
  const response = await graphql(api.graphqlUrl, { query: 'mutation ($text: String!) { addNote(text: $text) { id } }', variables: { text }, token: await issuer.mint() });
  return (response.body.data as { addNote: { id: string } }).addNote.id;
}

/** The results that are not warm-up events. */
function real(stream: Collected): StreamResult[] {
  return stream.results.filter((result) => !JSON.stringify(result).includes('warm-up'));
}

/** A subscription refused at subscribe: graphql-ws sends the result (its errors), then completes. */
function refusal(code: string, message: string) {
  return [{ errors: [{ message, locations: [{ line: 1, column: 27 }], path: ['documentChanged'], extensions: { code } }] }];
}

describe('who may subscribe, on the same port and path as /graphql', () => {
  test('anonymous: a public subscription receives events; a protected one is refused with UNAUTHENTICATED and the connection stays open', async () => {
    const connection = connect();
    await connection.connected();
    const refused = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    await refused.ended();
    assert.deepEqual([refused.results, refused.completed, refused.error], [refusal('UNAUTHENTICATED', 'Unauthenticated: requires scope documents:watch.'), true, undefined]);
    const notes = connection.subscribe(NOTE_ADDED);
    await primed(notes, () => addNote('warm-up'));
    const seen = notes.results.length;
    const id = await addNote('hello from the test');
    await notes.waitFor(seen + 1);
    assert.deepEqual(real(notes), [{ data: { noteAdded: { id, text: 'hello from the test' } } }]);
    assert.deepEqual(connection.closes, []);
  });

  test('lacking the requirement (the role, or the scope): FORBIDDEN for that operation, the connection stays open', async () => {
    const withoutScope = connect({ connectionParams: { authorization: `Bearer ${await issuer.mint({ roles: ['editor'] })}` } });
    const refused = withoutScope.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    await refused.ended();
    assert.deepEqual([refused.results, refused.completed], [refusal('FORBIDDEN', 'Forbidden: requires scope documents:watch.'), true]);
    const withoutRole = connect({ connectionParams: { authorization: `Bearer ${await issuer.mint({ roles: ['reader'], scope: 'documents:watch' })}` } });
    const refusedToo = withoutRole.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    await refusedToo.ended();
    assert.deepEqual([refusedToo.results, refusedToo.completed], [refusal('FORBIDDEN', 'Forbidden: requires role editor.'), true]);
    // Still open: a public subscription on the same connection works.
    const notes = withoutRole.subscribe(NOTE_ADDED);
    await primed(notes, () => addNote('warm-up'));
    assert.deepEqual([withoutScope.closes, withoutRole.closes], [[], []]);
  });

  test('meeting it: each renameDocument of that document arrives as an event', async () => {
    const connection = connect({ connectionParams: { authorization: `Bearer ${await issuer.mint(EDITOR)}` } });
    const changes = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    await primed(changes, () => rename('d1', 'warm-up'));
    const seen = changes.results.length;
    await rename('d1', 'Plan v2');
    await rename('d2', 'not this one');
    await rename('d1', 'Plan v3');
    await changes.waitFor(seen + 2);
    assert.deepEqual(real(changes), [
      { data: { documentChanged: { id: 'd1', title: 'Plan v2' } } },
      { data: { documentChanged: { id: 'd1', title: 'Plan v3' } } },
    ]);
  });

  test('per event: a field the caller may not see is null with FORBIDDEN at its path, the other fields intact', async () => {
    const connection = connect({ connectionParams: { authorization: `Bearer ${await issuer.mint(EDITOR)}` } });
    const changes = connection.subscribe('subscription { documentChanged(id: "d2") { id title author { name email } } }');
    await primed(changes, () => rename('d2', 'warm-up'));
    const seen = changes.results.length;
    await rename('d2', 'Bands 2027');
    await changes.waitFor(seen + 1);
    assert.deepEqual(real(changes), [
      {
        data: { documentChanged: { id: 'd2', title: 'Bands 2027', author: { name: 'Ada', email: null } } },
        errors: [{ message: 'Forbidden: requires role admin.', locations: [{ line: 1, column: 67 }], path: ['documentChanged', 'author', 'email'], extensions: { code: 'FORBIDDEN' } }],
      },
    ]);
  });
});

describe('connection credentials', () => {
  const refusedWith = async (options: Parameters<typeof connectWs>[1], code: number) => {
    const connection = connect(options);
    const closed = await connection.closed();
    assert.equal(closed.code, code, JSON.stringify(closed));
    return closed;
  };

  test('the upgrade request\'s Authorization header works when connectionParams carry none', async () => {
    const connection = connect({ headers: { authorization: `Bearer ${await issuer.mint(EDITOR)}` } });
    await connection.connected();
    const changes = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    await primed(changes, () => rename('d1', 'warm-up'));
    const seen = changes.results.length;
    await rename('d1', 'via header');
    await changes.waitFor(seen + 1);
    assert.deepEqual(real(changes), [{ data: { documentChanged: { id: 'd1', title: 'via header' } } }]);
  });

  test('connectionParams.authorization that breaks the RFC 6750 grammar: 4401, nothing subscribed', async () => {
    const token = await issuer.mint(EDITOR);
    for (const authorization of [token, `Basic ${token}`, 'Bearer', `Bearer ${token} extra`, `Bearer  ${token}\n`, 42, null, ['Bearer', token]]) {
      const closed = await refusedWith({ connectionParams: { authorization } }, 4401);
      assert.equal(closed.reason, 'Unauthorized');
    }
    await refusedWith({ connectionParams: { authorization: `Bearer ${token}`, Authorization: `Bearer ${token}` } }, 4401);
  });

  test('a bad token (expired, wrong signature, not a JWT) closes 4401 Unauthorized', async () => {
    const expired = await issuer.mint(EDITOR, { ttl: -60 });
    const good = await issuer.mint(EDITOR);
    const tampered = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(20)}`;
    for (const token of [expired, tampered, 'abc.def.ghi']) {
      assert.deepEqual(await refusedWith({ connectionParams: { authorization: `Bearer ${token}` } }, 4401), { code: 4401, reason: 'Unauthorized' });
    }
  });

  test('connectionParams and the header disagree: refused with 4401 (neither wins); the same token in both is accepted', async () => {
    const alice = await issuer.mint({ ...EDITOR, sub: 'alice' });
    const mallory = await issuer.mint({ sub: 'mallory' });
    await refusedWith({ connectionParams: { authorization: `Bearer ${alice}` }, headers: { authorization: `Bearer ${mallory}` } }, 4401);
    await refusedWith({ connectionParams: { authorization: `Bearer ${alice}` }, headers: { authorization: 'Basic Zm9vOmJhcg==' } }, 4401);
    const same = connect({ connectionParams: { authorization: `Bearer ${alice}` }, headers: { authorization: `bearer ${alice}` } });
    await same.connected();
  });

  test('a subscribe before connection_init is refused by the protocol (4401), a missing connection_init times out (4408)', async () => {
    const socket = new WebSocket(api.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: NOTE_ADDED } }));
    const [code] = (await new Promise((resolve) => socket.once('close', (...args) => resolve(args)))) as unknown as [number];
    assert.equal(code, 4401);
    const idle = new WebSocket(api.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const [idleCode, idleReason] = (await new Promise((resolve) => idle.once('close', (...args) => resolve(args)))) as [number, Buffer];
    assert.deepEqual([idleCode, String(idleReason)], [4408, 'Connection initialisation timeout']);
  });

  test('a message over the body limit (1 MiB) closes the socket with 1009 before it is parsed', async () => {
    const socket = new WebSocket(api.graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${'a'.repeat(1024 * 1024 + 1)}` } }));
    const [code] = (await new Promise((resolve) => socket.once('close', (...args) => resolve(args)))) as unknown as [number];
    assert.equal(code, 1009);
  });

  test('another path, or another subprotocol, gets no GraphQL socket', async () => {
    const elsewhere = new WebSocket(`${api.origin.replace(/^http/, 'ws')}/other`, 'graphql-transport-ws');
    const status = await new Promise((resolve) => elsewhere.once('unexpected-response', (_req, res) => resolve(res.statusCode)).once('error', () => resolve('error')));
    assert.equal(status, 404);
    const legacy = new WebSocket(api.graphqlUrl.replace(/^http/, 'ws'), 'graphql-ws');
    const [code] = (await new Promise((resolve) => legacy.once('close', (...args) => resolve(args)).once('error', () => resolve(['error'])))) as unknown as [number | string];
    assert.ok(code === 4406 || code === 'error' || code === 1006, String(code));
  });
});

describe('bounds', () => {
  test('at most LIMIT_WS_MAX_SUBSCRIPTIONS operations at once per connection: the next is refused, the connection stays open', async () => {
    const connection = connect({ connectionParams: { authorization: `Bearer ${await issuer.mint(EDITOR)}` } });
    await connection.connected();
    const first = connection.subscribe(NOTE_ADDED);
    const second = connection.subscribe(DOCUMENT_CHANGED, { id: 'd1' });
    const third = connection.subscribe(NOTE_ADDED);
    await third.ended();
    assert.deepEqual(JSON.parse(JSON.stringify(third.error)), [
      {
        message: 'Too many subscriptions: this connection already runs 2 operations (maxSubscriptionsPerConnection); complete one or open another connection.',
        extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: 'maxSubscriptionsPerConnection', max: 2 },
      },
    ]);
    first.stop();
    // The server learns of the stop asynchronously: retry until there is room again (deadline-bound).
    const deadline = Date.now() + 10_000;
    let fourth = connection.subscribe(NOTE_ADDED);
    while ((await Promise.race([fourth.ended(200).then(() => true), primed(fourth, () => addNote('warm-up'), 300).then(() => false)]).catch(() => true))) {
      assert.ok(Date.now() < deadline, 'no room after a stop');
      fourth = connection.subscribe(NOTE_ADDED);
    }
    assert.deepEqual([second.completed, second.error, connection.closes], [false, undefined, []]);
  });

  test('the operation limits apply to subscriptions: too many aliases, too many tokens', async () => {
    const connection = connect();
    await connection.connected();
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
    const tooManyAliases = connection.subscribe(`subscription { noteAdded { ${aliases} } }`);
    await tooManyAliases.ended();
    assert.deepEqual(JSON.parse(JSON.stringify(tooManyAliases.error)), [
      { message: 'Too many aliases: found 31, the limit is 30 (maxAliases).', extensions: { code: 'OPERATION_TOO_MANY_ALIASES', limit: 'maxAliases', max: 30 } },
    ]);
    const tooLarge = connection.subscribe(`subscription { noteAdded { ${'id '.repeat(2_100)} } }`);
    await tooLarge.ended();
    assert.deepEqual(JSON.parse(JSON.stringify(tooLarge.error)), [
      { message: 'Operation too large: the document has more than 2000 tokens (maxTokens).', extensions: { code: 'OPERATION_TOO_LARGE', limit: 'maxTokens', max: 2000 } },
    ]);
    assert.deepEqual(connection.closes, []);
  });
});
