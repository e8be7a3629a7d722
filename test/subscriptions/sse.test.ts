// GraphQL over SSE as Yoga serves it, on `npm start`'s server: the same
// credentials rules as any request, a real graphql-sse client, a raw reader.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { primed, rawSse, subscribeSse, type Collected } from '../support/subscription-clients.ts';

const DOCUMENT_CHANGED = 'subscription ($id: ID!) { documentChanged(id: $id) { id title } }';
const NOTE_ADDED = 'subscription { noteAdded { id text } }';
const EDITOR = { roles: ['editor'], scope: 'documents:watch' };

let issuer: TestIssuer;
let api: TestApi;
const streams: Collected[] = [];

before(async () => {
  issuer = await startTestIssuer();
  api = await startTestApi(issuer.env({ AUTH_COOKIE: 'session', CORS_ORIGINS: 'https://app.example.com' }));
});
after(async () => {
  for (const stream of streams) stream.stop();
  await api?.close();
  await issuer?.close();
});

function sse(query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Collected {
  const stream = subscribeSse(api.graphqlUrl, query, { headers, ...(variables === undefined ? {} : { variables }) });
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

const denied = (code: string, message: string) => [
  { errors: [{ message, locations: [{ line: 1, column: 27 }], path: ['documentChanged'], extensions: { code } }] },
];

describe('SSE: who may subscribe', () => {
  test('anonymous: the public subscription streams; the protected one is refused with UNAUTHENTICATED', async () => {
    const notes = sse(NOTE_ADDED, {});
    await primed(notes, async () => graphql(api.graphqlUrl, { query: 'mutation { addNote(text: "warm-up") { id } }', token: await issuer.mint() }));
    const refused = sse(DOCUMENT_CHANGED, {}, { id: 'd1' });
    await refused.ended();
    assert.deepEqual([refused.results, refused.completed], [denied('UNAUTHENTICATED', 'Unauthenticated: requires scope documents:watch.'), true]);
  });

  test('lacking the scope: FORBIDDEN; meeting it: each rename arrives', async () => {
    const refused = sse(DOCUMENT_CHANGED, { authorization: `Bearer ${await issuer.mint({ roles: ['editor'] })}` }, { id: 'd1' });
    await refused.ended();
    assert.deepEqual([refused.results, refused.completed], [denied('FORBIDDEN', 'Forbidden: requires scope documents:watch.'), true]);
    const changes = sse(DOCUMENT_CHANGED, { authorization: `Bearer ${await issuer.mint(EDITOR)}` }, { id: 'd1' });
    await primed(changes, () => rename('d1', 'warm-up'));
    const seen = changes.results.length;
    await rename('d1', 'over SSE');
    await changes.waitFor(seen + 1);
    assert.deepEqual(changes.results.at(-1), { data: { documentChanged: { id: 'd1', title: 'over SSE' } } });
  });

  test('per event: a field the caller may not see is null with FORBIDDEN at its path, the rest intact', async () => {
    const changes = sse('subscription { documentChanged(id: "d2") { title author { name email } } }', { authorization: `Bearer ${await issuer.mint(EDITOR)}` });
    await primed(changes, () => rename('d2', 'warm-up'));
    const seen = changes.results.length;
    await rename('d2', 'per event');
    await changes.waitFor(seen + 1);
    assert.deepEqual(changes.results.at(-1), {
      data: { documentChanged: { title: 'per event', author: { name: 'Ada', email: null } } },
      errors: [{ message: 'Forbidden: requires role admin.', locations: [{ line: 1, column: 64 }], path: ['documentChanged', 'author', 'email'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  test('a bad token is a 401 with the Bearer challenge, before any stream starts', async () => {
    const stream = await rawSse(api.graphqlUrl, NOTE_ADDED, { authorization: `Bearer ${await issuer.mint({}, { ttl: -60 })}` });
    await stream.finished();
    assert.equal(stream.response.status, 401);
    assert.match(stream.response.headers.get('www-authenticate')!, /^Bearer error="invalid_token"/);
    assert.deepEqual(stream.events, [{ event: 'next', data: { errors: [{ message: 'Unauthenticated: token expired.', extensions: { code: 'UNAUTHENTICATED' } }] } }, { event: 'complete', data: undefined }]);
  });
});

describe('SSE: the cookie rules of any request', () => {
  test('a cookie on a JSON POST authenticates the stream', async () => {
    const changes = sse(DOCUMENT_CHANGED, { cookie: `session=${await issuer.mint(EDITOR)}` }, { id: 'd1' });
    await primed(changes, () => rename('d1', 'warm-up'));
  });

  test('a cookie on a GET (what EventSource sends, and any cross-site page can) is refused with 403', async () => {
    const url = `${api.graphqlUrl}?query=${encodeURIComponent(NOTE_ADDED)}`;
    const response = await fetch(url, { headers: { accept: 'text/event-stream', cookie: `session=${await issuer.mint(EDITOR)}`, origin: 'https://evil.example' } });
    const body = await response.text();
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.match(body, /FORBIDDEN/);
  });
});

describe('SSE: operation limits', () => {
  test('too many aliases and too many tokens are refused before anything is subscribed', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: id`).join(' ');
    for (const [query, code] of [
      [`subscription { noteAdded { ${aliases} } }`, 'OPERATION_TOO_MANY_ALIASES'],
      [`subscription { noteAdded { ${'id '.repeat(2_100)} } }`, 'OPERATION_TOO_LARGE'],
    ] as const) {
      const stream = await rawSse(api.graphqlUrl, query);
      await stream.finished();
      // Yoga streams a refusal as one `next` and `complete` (HTTP 200: the stream had started).
      assert.equal(stream.response.status, 200, code);
      assert.deepEqual(
        stream.events.map((event) => [event.event, (event.data as { errors?: { extensions: { code: string } }[] } | undefined)?.errors?.map((error) => error.extensions.code)]),
        [['next', [code]], ['complete', undefined]],
      );
    }
  });
});
