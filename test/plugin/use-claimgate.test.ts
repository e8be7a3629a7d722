// The library path: a user's own Yoga server with useClaimgate and a
// code-first schema (graphql-js constructors, directives in
// `extensions.directives`) gets what `npm start` gets, over real HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { AuthSchemaError, useClaimgate } from '../../src/index.ts';
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';
import { postChunked } from '../support/test-api.ts';

const Secret = new GraphQLObjectType({
  name: 'Secret',
  extensions: { directives: { hasRole: [{ role: 'editor' }] } },
  fields: { value: { type: new GraphQLNonNull(GraphQLString) } },
});

interface Ctx {
  readonly principal?: { subject: string } | null;
  readonly tenant?: string;
}

function codeFirstSchema() {
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, Ctx>({
      name: 'Query',
      fields: {
        hello: { type: GraphQLString, resolve: () => 'world' },
        me: { type: GraphQLString, extensions: { directives: { auth: {} } }, resolve: (_s, _a, context: Ctx) => context.principal?.subject ?? null },
        report: { type: GraphQLString, extensions: { directives: { hasRole: { role: 'admin' } } }, resolve: () => '42' },
        scoped: { type: GraphQLString, extensions: { directives: { requiresScopes: { scopes: [['reports:read']] } } }, resolve: () => 'scoped' },
        secrets: { type: new GraphQLList(Secret), resolve: () => [{ value: 's1' }, { value: 's2' }] },
        userContext: { type: GraphQLString, resolve: (_s, _a, context: Ctx) => context.tenant ?? null },
      },
    }),
  });
}

let issuer: TestIssuer;
let server: Server;
let url: string;
let origin: string;

before(async () => {
  issuer = await startTestIssuer();
  const env = issuer.env();
  const yoga = createYoga({
    schema: codeFirstSchema(),
    // The user's own context survives: claimgate extends it.
    context: () => ({ tenant: 'acme' }),
    maxRequestBodySize: false,
    plugins: [
      useClaimgate({
        issuers: [{ issuer: env.AUTH_ISSUER, audience: TEST_AUDIENCE, jwksUri: env.AUTH_JWKS_URI }],
        cookieName: 'hanko',
        corsOrigins: ['https://app.example.com'],
        logger: { info() {}, warn() {}, error() {} },
      }),
    ],
  });
  server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${origin}/graphql`;
  const deadline = Date.now() + 5_000;
  while ((await fetch(`${origin}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('not ready');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await issuer.close();
});

async function ask(query: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown; errors?: { path?: string[]; extensions?: { code?: string } }[] };
  return { status: response.status, data: body.data, errors: (body.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code]) };
}
const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await issuer.mint(claims)}` });

describe('useClaimgate in a user\'s own Yoga server, code-first schema', () => {
  const QUERY = '{ hello me report scoped secrets { value } userContext }';
  test('anonymous: every code-first directive is enforced; the user\'s context is kept', async () => {
    assert.deepEqual(await ask(QUERY), {
      status: 200,
      data: { hello: 'world', me: null, report: null, scoped: null, secrets: null, userContext: 'acme' },
      errors: [['me', 'UNAUTHENTICATED'], ['report', 'UNAUTHENTICATED'], ['scoped', 'UNAUTHENTICATED'], ['secrets', 'UNAUTHENTICATED']],
    });
  });
  test('lacking: FORBIDDEN for the role, scope and type-level requirements', async () => {
    assert.deepEqual(await ask(QUERY, await bearer({ sub: 'bob', roles: ['reader'] })), {
      status: 200,
      data: { hello: 'world', me: 'bob', report: null, scoped: null, secrets: null, userContext: 'acme' },
      errors: [['report', 'FORBIDDEN'], ['scoped', 'FORBIDDEN'], ['secrets', 'FORBIDDEN']],
    });
  });
  test('meeting: everything answers', async () => {
    assert.deepEqual(await ask(QUERY, await bearer({ sub: 'ada', roles: ['admin', 'editor'], scope: 'reports:read' })), {
      status: 200,
      data: { hello: 'world', me: 'ada', report: '42', scoped: 'scoped', secrets: [{ value: 's1' }, { value: 's2' }], userContext: 'acme' },
      errors: [],
    });
  });
  test('a bad token is a 401 with the Bearer challenge, nothing executed', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x.y.z' }, body: '{"query":"{ hello }"}' });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
    assert.equal(body.data, undefined);
    assert.equal(body.errors[0]!.extensions.code, 'UNAUTHENTICATED');
  });
  test('bodies: over 1 MiB 413, chunked 411, multipart 415 — before anything is read', async () => {
    const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ hello } #${'x'.repeat(1024 * 1024)}` }) });
    assert.equal(big.status, 413);
    const chunked = await postChunked(url, '{"query":"{ hello }"}');
    assert.equal(chunked.status, 411);
    const multipart = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' });
    assert.equal(multipart.status, 415);
  });
  test('cookie source on: credentialed CORS only for an allowed origin, whatever Yoga\'s default CORS reflects', async () => {
    const preflight = (o: string) => fetch(url, { method: 'OPTIONS', headers: { origin: o, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const evil = await preflight('https://evil.example');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.headers.get('access-control-allow-credentials'), null);
    const good = await preflight('https://app.example.com');
    assert.equal(good.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(good.headers.get('access-control-allow-credentials'), 'true');
    const cookie = `hanko=${await issuer.mint({ sub: 'ada' })}`;
    const simple = await fetch(`${url}?query=${encodeURIComponent('{ me }')}`, { headers: { cookie, origin: 'https://evil.example' } });
    assert.equal(simple.status, 403, 'a GET with only the cookie is forgeable cross-site: refused');
    assert.equal(simple.headers.get('access-control-allow-origin'), null);
  });
  test('the operation limits hold on the library path', async () => {
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: hello`).join(' ')} }`;
    const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query: aliases }) });
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { errors: { extensions: { code: string } }[] };
    assert.deepEqual(body.errors.map((e) => e.extensions.code), ['OPERATION_TOO_MANY_ALIASES']);
  });
});

describe('fail closed', () => {
  test('a code-first usage with arguments claimgate cannot read stops start-up, naming it', () => {
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { a: { type: GraphQLString, extensions: { directives: { hasRole: { rol: 'admin' } } } } } }),
    });
    const yoga = () => createYoga({ schema, plugins: [useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }] })] });
    assert.throws(yoga, (error: unknown) => error instanceof AuthSchemaError && /field Query\.a/.test(error.message) && /unknown argument "rol"/.test(error.message));
  });
  test('options are checked eagerly, naming the option', () => {
    assert.throws(() => useClaimgate({ issuers: [] }), /`issuers` must be a non-empty list/);
    assert.throws(() => useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], cookeName: 'x' } as never), /unknown option "cookeName"/);
    assert.throws(() => useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], limits: { maxDepth: 0 } }), /limits\.maxDepth/);
    assert.throws(() => useClaimgate({ issuers: [{ audience: 'api' }] }), /issuer: must be a non-empty string/);
  });
});
