// @policy: Apollo's semantics (outer OR, inner AND), functions registered by
// name, decided per object wherever a type is returned, fail closed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { AUTH_RUNTIME, type AuthRuntime } from '../../src/directives/auth-runtime.ts';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import type { Policy, PolicyRegistry } from '../../src/directives/policy.ts';
import { apolloAuthorizationTypeDefs } from '../../src/directives/type-defs.ts';
import type { Principal } from '../../src/principal/principal.ts';
import { graphql as post, withIssuerAndApi, type GraphQLResponse } from '../support/test-api.ts';

const principal = (subject: string, roles: string[] = []): Principal =>
  Object.freeze({ subject, issuer: 'https://id.test', roles, scopes: [], expiresAt: 0, claims: {} });
const ALICE = principal('alice');
const BOB = principal('bob');
const EDITOR = principal('eve', ['editor']);

async function run(schema: GraphQLSchema, source: string, who: Principal | null, extra: Record<string | symbol, unknown> = {}) {
  const result = await graphql({ schema, source, contextValue: { principal: who, ...extra } });
  return { data: JSON.parse(JSON.stringify(result.data ?? null)), errors: (result.errors ?? []).map((e) => [e.path?.join('.'), e.extensions.code, e.message]) };
}

describe('OR/AND truth table', () => {
  // a, b, c are switched on per case; the field needs (a AND b) OR c.
  const typeDefs = `${apolloAuthorizationTypeDefs}
    type Query { secret: String @policy(policies: [["a", "b"], ["c"]]) }`;
  const table: [boolean, boolean, boolean, boolean][] = [];
  for (const a of [false, true]) for (const b of [false, true]) for (const c of [false, true]) table.push([a, b, c, (a && b) || c]);
  for (const [a, b, c, allowed] of table) {
    test(`a=${a} b=${b} c=${c} → ${allowed ? 'allowed' : 'denied'} (sync and async)`, async () => {
      for (const wrap of [(v: boolean) => v, (v: boolean) => Promise.resolve(v)]) {
        const schema = makeAuthSchema({
          typeDefs,
          resolvers: { Query: { secret: () => 's' } },
          policies: { a: () => wrap(a), b: () => wrap(b), c: () => wrap(c) },
        });
        const outcome = await run(schema, '{ secret }', ALICE);
        assert.deepEqual(
          outcome,
          allowed
            ? { data: { secret: 's' }, errors: [] }
            : { data: { secret: null }, errors: [['secret', 'FORBIDDEN', 'Forbidden: requires policy a and b or c.']] },
        );
      }
    });
  }
});

describe('a policy on a type, per object', () => {
  const typeDefs = `${apolloAuthorizationTypeDefs}
    interface Node { id: ID! }
    type Doc implements Node @policy(policies: [["doc.owner"], ["doc.editor"]]) { id: ID! owner: String! title: String! }
    type Note implements Node { id: ID! }
    union Result = Doc | Note
    type Query {
      docs: [Doc]!
      strictDocs: [Doc!]
      node(id: ID!): Node
      search: [Result]!
      delayed: [Doc]!
    }`;
  const docs = [
    { __typename: 'Doc', id: 'd1', owner: 'alice', title: 'A' },
    { __typename: 'Doc', id: 'd2', owner: 'bob', title: 'B' },
  ];
  const calls: string[] = [];
  const policies: PolicyRegistry = {
    'doc.owner': ({ principal: who, parent }) => {
      calls.push(`owner:${(parent as { id: string }).id}`);
      return who !== null && who.subject === (parent as { owner: string }).owner;
    },
    'doc.editor': async ({ principal: who }) => who !== null && who.roles.includes('editor'),
  };
  const schema = makeAuthSchema({
    typeDefs,
    policies,
    resolvers: {
      Query: {
        docs: () => docs,
        strictDocs: () => docs,
        node: (_: unknown, { id }: { id: string }) => docs.find((d) => d.id === id) ?? { __typename: 'Note', id },
        search: () => [docs[0], { __typename: 'Note', id: 'n1' }, docs[1]],
        delayed: async () => docs,
      },
      Node: { __resolveType: (v: { __typename: string }) => v.__typename },
      Result: { __resolveType: (v: { __typename: string }) => v.__typename },
    },
  });
  const denied = (path: string) => [path, 'FORBIDDEN', 'Forbidden: requires policy doc.owner or doc.editor.'];

  test('in a list: each item is checked with the item as parent; a denied item is null', async () => {
    calls.length = 0;
    assert.deepEqual(await run(schema, '{ docs { id title } delayed { id } }', ALICE), {
      data: { docs: [{ id: 'd1', title: 'A' }, null], delayed: [{ id: 'd1' }, null] },
      errors: [denied('docs.1'), denied('delayed.1')],
    });
    // Once per object, not once per selected field.
    assert.deepEqual(calls.sort(), ['owner:d1', 'owner:d1', 'owner:d2', 'owner:d2']);
    assert.deepEqual(await run(schema, '{ docs { id } }', EDITOR), { data: { docs: [{ id: 'd1' }, { id: 'd2' }] }, errors: [] });
  });

  test('non-null items: the denial propagates to the nullable list, as graphql-js does', async () => {
    assert.deepEqual(await run(schema, '{ strictDocs { id } }', BOB), { data: { strictDocs: null }, errors: [denied('strictDocs.0')] });
  });

  test('through an interface and a union; __typename shows nothing of a denied object', async () => {
    assert.deepEqual(await run(schema, '{ a: node(id: "d1") { __typename id } b: node(id: "d2") { __typename } c: node(id: "n9") { id } }', ALICE), {
      data: { a: { __typename: 'Doc', id: 'd1' }, b: null, c: { id: 'n9' } },
      errors: [denied('b')],
    });
    assert.deepEqual(await run(schema, '{ search { __typename ... on Doc { title } } }', BOB), {
      data: { search: [null, { __typename: 'Note' }, { __typename: 'Doc', title: 'B' }] },
      errors: [denied('search.0')],
    });
  });

  test('anonymous: UNAUTHENTICATED, and the policy still decides (it is given principal null)', async () => {
    assert.deepEqual(await run(schema, '{ docs { id } }', null), {
      data: { docs: [null, null] },
      errors: [
        ['docs.0', 'UNAUTHENTICATED', 'Unauthenticated: requires policy doc.owner or doc.editor.'],
        ['docs.1', 'UNAUTHENTICATED', 'Unauthenticated: requires policy doc.owner or doc.editor.'],
      ],
    });
  });

  test('without resolveType, isTypeOf of the original types still resolves the abstract type', async () => {
    const plain = makeExecutableSchema({ typeDefs, resolvers: { Query: { search: () => [{ __typename: 'Note', id: 'n1' }, docs[1]] } } });
    const guarded = authDirectiveTransformer(plain, { policies });
    assert.deepEqual(await run(guarded, '{ search { __typename } }', ALICE), { data: { search: [{ __typename: 'Note' }, null] }, errors: [denied('search.1')] });
  });
});

describe('fail closed', () => {
  const typeDefs = `${apolloAuthorizationTypeDefs}
    type Query { doc: Doc @policy(policies: [["p"]]) other: String }
    type Doc { id: ID! }`;
  const build = (policies: Record<string, unknown> | undefined) => () =>
    makeAuthSchema({ typeDefs, resolvers: { Query: { doc: () => ({ id: '1' }) } }, ...(policies === undefined ? {} : { policies: policies as PolicyRegistry }) });

  test('an unregistered policy stops start-up naming it and where it is used', () => {
    assert.throws(build(undefined), { name: 'TypeError', message: 'authDirectiveTransformer: policy "p" is used by @policy on field Query.doc but not registered (registered: none).' });
    assert.throws(build({ q: () => true }), { message: /policy "p" is used by @policy on field Query.doc but not registered \(registered: q\)/ });
  });

  test('a malformed registration stops start-up naming it', () => {
    assert.throws(build({ p: () => true, q: 'yes' }), { name: 'TypeError', message: 'authDirectiveTransformer: policy "q" must be a function, not string.' });
    assert.throws(build({ p: () => true, 'bad name': () => true }), { message: /policy name "bad name" is not valid/ });
    assert.throws(build(null as never), { message: /policies must be an object of functions/ });
  });

  test('a prototype name never resolves to a policy', () => {
    const proto = `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [["constructor"]]) }`;
    assert.throws(() => makeAuthSchema({ typeDefs: proto, policies: {} }), { message: /policy "constructor" is used by @policy on field Query.x but not registered/ });
  });

  test('an empty or malformed @policy argument stops start-up', () => {
    for (const [policies, message] of [
      ['[]', /policies must be a non-empty list of non-empty lists/],
      ['[[]]', /policies must be a non-empty list of non-empty lists/],
      ['[["has space"]]', /policy name "has space" is not valid/],
    ] as const) {
      assert.throws(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: ${policies}) }`, policies: {} }), { message });
    }
  });

  test('@policy on a root type is refused (no object is ever returned to check)', () => {
    assert.throws(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query @policy(policies: [["p"]]) { x: String }`, policies: { p: () => true } }), {
      message: /type Query.*cannot be used on a root operation type/,
    });
  });

  test('throwing, rejecting or non-boolean policies deny and report the policy name, never its error message', async () => {
    const failures: unknown[][] = [];
    const runtime: AuthRuntime = { audit: false, wouldDeny() {}, policyFailed: (...args) => failures.push([args[0], args[1], args[2], (args[3] as Error)?.name]) };
    const cases: [string, Policy][] = [
      ['threw', () => { throw new TypeError('secret claim value 12345'); }],
      ['rejected', () => Promise.reject(new RangeError('secret'))],
      ['returned a non-boolean', () => 'true' as never],
      ['returned a non-boolean', () => Promise.resolve(1) as never],
    ];
    for (const [problem, policy] of cases) {
      failures.length = 0;
      const schema = makeAuthSchema({ typeDefs, resolvers: { Query: { doc: () => ({ id: '1' }), other: () => 'o' } }, policies: { p: policy } });
      const outcome = await run(schema, '{ doc { id } other }', ALICE, { [AUTH_RUNTIME]: runtime });
      assert.deepEqual(outcome, { data: { doc: null, other: 'o' }, errors: [['doc', 'FORBIDDEN', 'Forbidden: requires policy p.']] });
      assert.equal(failures.length, 1);
      assert.deepEqual(failures[0]!.slice(0, 3), ['p', 'Query.doc', problem]);
      assert.ok(!JSON.stringify(failures).includes('secret'));
    }
  });

  test('the static requirement is checked first: anonymous never reaches the policy of an @authenticated field', async () => {
    let called = 0;
    const schema = makeAuthSchema({
      typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @authenticated @policy(policies: [["p"]]) }`,
      resolvers: { Query: { x: () => 'x' } },
      policies: { p: () => ++called > 0 },
    });
    assert.deepEqual(await run(schema, '{ x }', null), { data: { x: null }, errors: [['x', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.']] });
    assert.equal(called, 0);
    assert.deepEqual(await run(schema, '{ x }', ALICE), { data: { x: 'x' }, errors: [] });
  });

  test('field policies see the parent and the arguments', async () => {
    const seen: unknown[] = [];
    const schema = makeAuthSchema({
      typeDefs: `${apolloAuthorizationTypeDefs} type Query { doc: Doc } type Doc { id: ID! body(format: String): String @policy(policies: [["p"]]) }`,
      resolvers: { Query: { doc: () => ({ id: 'd1', body: 'b' }) } },
      policies: { p: ({ parent, args }) => (seen.push([parent, args]), (args as { format?: string }).format === 'ok') },
    });
    assert.deepEqual(await run(schema, '{ doc { a: body(format: "ok") b: body(format: "no") } }', ALICE), {
      data: { doc: { a: 'b', b: null } },
      errors: [['doc.b', 'FORBIDDEN', 'Forbidden: requires policy p.']],
    });
    assert.deepEqual(seen, [[{ id: 'd1', body: 'b' }, { format: 'ok' }], [{ id: 'd1', body: 'b' }, { format: 'no' }]]);
  });

  test('code-first: @policy in extensions.directives is read like SDL', async () => {
    const sdl = buildSchema(`${apolloAuthorizationTypeDefs} type Query { x: String }`);
    const field = sdl.getQueryType()!.getFields().x!;
    (field as { extensions: unknown }).extensions = { directives: { policy: [{ policies: [['p']] }] } };
    assert.throws(() => authDirectiveTransformer(sdl), { message: /policy "p" is used by @policy on field Query.x but not registered/ });
  });
});

describe('the example API over HTTP: Draft is readable by its owner or an editor', () => {
  const running = withIssuerAndApi();
  const denied = (path: (string | number)[]) => ({ message: 'Forbidden: requires policy draft.owner or draft.editor.', path, extensions: { code: 'FORBIDDEN' } });
  const strip = (body: GraphQLResponse['body']) => ({ ...body, ...(body.errors ? { errors: body.errors.map(({ message, path, extensions }) => ({ message, path, extensions })) } : {}) });

  test('in a list, through node, and through _entities after __resolveReference; the fast path never skips the policy', async () => {
    const query = `{
      drafts { id ownerId }
      own: node(id: "r1") { ... on Draft { title } }
      other: node(id: "r2") { __typename }
      _entities(representations: [{ __typename: "Draft", id: "r2" }, { __typename: "Draft", id: "r1" }]) { ... on Draft { id } }
    }`;
    const alice = await post(running.api.graphqlUrl, { query, token: await running.issuer.mint({ sub: 'alice', roles: [] }) });
    assert.deepEqual({ status: alice.status, body: strip(alice.body) }, {
      status: 200,
      body: {
        data: { drafts: [{ id: 'r1', ownerId: 'alice' }, null], own: { title: "Alice's draft" }, other: null, _entities: [null, { id: 'r1' }] },
        errors: [denied(['drafts', 1]), denied(['other']), denied(['_entities', 0])],
      },
    });
    // Only the caller's own draft in the query: every static guard passes, yet the policy still runs.
    const ownOnly = await post(running.api.graphqlUrl, { query: '{ drafts { id } }', token: await running.issuer.mint({ sub: 'carol', roles: [] }) });
    assert.deepEqual(strip(ownOnly.body), { data: { drafts: [null, null] }, errors: [denied(['drafts', 0]), denied(['drafts', 1])] });
    const editor = await post(running.api.graphqlUrl, { query: '{ drafts { id } }', token: await running.issuer.mint({ sub: 'eve', roles: ['editor'] }) });
    assert.deepEqual(editor.body, { data: { drafts: [{ id: 'r1' }, { id: 'r2' }] } });
  });

  test('anonymous: an existing draft through _entities is UNAUTHENTICATED; a missing one is null (a policy needs the object: see the README on existence)', async () => {
    const response = await post(running.api.graphqlUrl, {
      query: '{ _entities(representations: [{ __typename: "Draft", id: "r1" }, { __typename: "Draft", id: "r9" }]) { ... on Draft { id } } }',
    });
    assert.deepEqual(strip(response.body), {
      data: { _entities: [null, null] },
      errors: [{ message: 'Unauthenticated: requires policy draft.owner or draft.editor.', path: ['_entities', 0], extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });
});

test('a policy on a scalar or enum guards every field returning it, with that field\'s parent', async () => {
  const schema = makeAuthSchema({
    typeDefs: `${apolloAuthorizationTypeDefs}
      scalar Salary @policy(policies: [["self"]])
      enum Level @policy(policies: [["self"]]) { JUNIOR SENIOR }
      type Person { name: String! salary: Salary level: Level }
      type Query { people: [Person!]! }`,
    resolvers: { Query: { people: () => [{ name: 'alice', salary: 10, level: 'SENIOR' }, { name: 'bob', salary: 20, level: 'JUNIOR' }] } },
    policies: { self: ({ principal: who, parent }) => who?.subject === (parent as { name: string }).name },
  });
  assert.deepEqual(await run(schema, '{ people { name salary level } }', ALICE), {
    data: { people: [{ name: 'alice', salary: 10, level: 'SENIOR' }, { name: 'bob', salary: null, level: null }] },
    errors: [
      ['people.1.salary', 'FORBIDDEN', 'Forbidden: requires policy self.'],
      ['people.1.level', 'FORBIDDEN', 'Forbidden: requires policy self.'],
    ],
  });
});

test('useClaimgate refuses policies for a schema that was already transformed (they would never apply)', async () => {
  const { createYoga } = await import('graphql-yoga');
  const { useClaimgate } = await import('../../src/plugin/use-claimgate.ts');
  const schema = makeAuthSchema({ typeDefs: 'type Query { x: String @auth }', resolvers: { Query: { x: () => 'x' } } });
  assert.throws(
    () => createYoga({ schema, plugins: [useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], policies: { p: () => true } })] }),
    { name: 'TypeError', message: /`policies` apply when the plugin transforms the schema, but this schema was already transformed/ },
  );
  assert.throws(() => useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], policies: { p: 'no' as never } }), {
    name: 'TypeError',
    message: 'useClaimgate: policy "p" must be a function, not string.',
  });
});
