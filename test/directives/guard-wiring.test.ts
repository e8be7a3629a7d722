// How the transformer wires its checks into graphql-js: a field's guard and
// policies in one resolver, a policy type's isTypeOf, the resolveType of
// interfaces and unions, subscribe, and federation's __resolveReference, in
// enforce and audit mode; and the policy registry's refusals. In-process:
// each case executes a real schema with graphql-js.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, subscribe, type GraphQLError } from 'graphql';
import { AUTH_RUNTIME, type AuthRuntime } from '../../src/directives/auth-runtime.ts';
import { observeDenials } from '../../src/directives/denial-observer.ts';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import { checkPolicyRegistry, evaluatePolicies, policyRequirement, type Policy, type PolicyRegistry } from '../../src/directives/policy.ts';
import { apolloAuthorizationTypeDefs, authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';
import type { Principal } from '../../src/principal/principal.ts';
import { runAs as run, testPrincipal as who } from '../support/run-schema.ts';

const ADMIN = who(['admin']);

/** An audit-mode runtime that keeps what it is told. */
function auditRuntime() {
  const wouldDeny: [string, string | undefined][] = [];
  const runtime: AuthRuntime = {
    audit: true,
    wouldDeny: (coordinate, denial: GraphQLError | undefined) => wouldDeny.push([coordinate, denial?.message]),
    policyFailed() {},
  };
  return { runtime, wouldDeny };
}


describe('the policy registry', () => {
  const typeDefs = `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [["p"]]) }`;
  const build = (policies: unknown) => () => makeAuthSchema({ typeDefs, policies: policies as PolicyRegistry });
  const notAnObject = /^authDirectiveTransformer: policies must be an object of functions by policy name/;

  test('a function, a string or an array given as the registry is refused (not read as an empty registry)', () => {
    for (const given of [() => true, 'p', ['p'], null]) assert.throws(build(given), { name: 'TypeError', message: notAnObject });
  });

  test('an entry that is null is named as null', () => {
    assert.throws(build({ p: () => true, q: null }), { message: 'authDirectiveTransformer: policy "q" must be a function, not null.' });
  });

  test('names are at most 200 characters, in the registry and in @policy', () => {
    const long = 'a'.repeat(200);
    const tooLong = 'a'.repeat(201);
    assert.doesNotThrow(() => checkPolicyRegistry({ [long]: () => true }, new Map([[long, 'field Query.x']]), 'test'));
    assert.throws(() => checkPolicyRegistry({ [tooLong]: () => true }, new Map(), 'test'), { message: `test: policy name "${tooLong}" is not valid (letters, digits and _ . : / @ - only).` });
    assert.doesNotThrow(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [["${long}"]]) }`, policies: { [long]: () => true } }));
    assert.throws(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [["${tooLong}"]]) }`, policies: { [tooLong]: () => true } }), {
      message: new RegExp(`policy name "${tooLong}" is not valid`),
    });
  });

  test('a policy name in the schema that is not a string is refused, even one that reads like a valid name', () => {
    assert.throws(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [[5]]) }`, policies: { 5: () => true } }), {
      message: /policy name 5 is not valid/,
    });
    // A list in a name's place would print as the name it holds.
    assert.throws(() => makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs} type Query { x: String @policy(policies: [[["p"]]]) }`, policies: { p: () => true } }), {
      message: '@policy on field Query.x: policy name ["p"] is not valid (letters, digits and _ . : / @ - only).',
    });
  });

  test('an unregistered name lists every registered one', () => {
    assert.throws(build({ q: () => true, r: () => true }), { message: /policy "p" is used by @policy on field Query.x but not registered \(registered: q, r\)\./ });
  });
});

describe('evaluatePolicies: what a policy returns', () => {
  const usage = policyRequirement([['p']]);
  const evaluate = (policy: Policy) => {
    const failures: string[] = [];
    const outcome = evaluatePolicies([usage], { p: policy }, { principal: null, parent: null, args: {}, context: {}, info: {} as never }, (_, problem) => failures.push(problem));
    return { outcome, failures };
  };

  test('a value that is neither a boolean nor a thenable denies at once: undefined, null, a string, an object', () => {
    for (const value of [undefined, null, 'true', 1, { ok: true }]) {
      const { outcome, failures } = evaluate(() => value as never);
      assert.ok(!(outcome instanceof Promise), `${JSON.stringify(value)} is decided synchronously`);
      assert.deepEqual(outcome, { failed: usage });
      assert.deepEqual(failures, ['returned a non-boolean']);
    }
  });

  test('booleans stay synchronous; a thenable that is not a Promise is awaited', async () => {
    assert.deepEqual(evaluate(() => true).outcome, { failed: undefined });
    assert.deepEqual(evaluate(() => false), { outcome: { failed: usage }, failures: [] });
    const thenable = { then: (resolve: (value: boolean) => void) => resolve(true) };
    const { outcome } = evaluate(() => thenable as never);
    assert.ok(outcome instanceof Promise);
    assert.deepEqual(await outcome, { failed: undefined });
  });
});

describe('isTypeOf: a policy type keeps its own, a type without policies gets none', () => {
  const typeDefs = `${apolloAuthorizationTypeDefs}
    type Doc @policy(policies: [["allow"]]) { id: ID! }
    type Cat { name: String }
    type Dog { name: String }
    union Pet = Cat | Dog
    type Query { doc: Doc pet: Pet }`;
  const build = (isDoc: (value: { kind: string }) => boolean | Promise<boolean>, docValue: unknown) => {
    const calls: string[] = [];
    const schema = makeAuthSchema({
      typeDefs,
      policies: { allow: ({ parent }) => (calls.push((parent as { id: string }).id), true) },
      resolvers: {
        Query: { doc: () => docValue, pet: () => ({ kind: 'dog', name: 'Rex' }) },
        Doc: { __isTypeOf: isDoc },
        Dog: { __isTypeOf: (value: { kind: string }) => value.kind === 'dog' },
      },
    });
    return { schema, calls };
  };

  for (const [mode, isDoc] of [
    ['synchronous', (value: { kind: string }) => value.kind === 'doc'],
    ['asynchronous', async (value: { kind: string }) => value.kind === 'doc'],
  ] as const) {
    test(`a ${mode} isTypeOf of a policy type still refuses an object of another type, before any policy runs`, async () => {
      const note = build(isDoc, { kind: 'note', id: 'n1' });
      assert.deepEqual(await run(note.schema, '{ doc { id } }', ADMIN), { data: { doc: null }, errors: [['doc', 'Expected value of type "Doc" but got: { kind: "note", id: "n1" }.']] });
      assert.deepEqual(note.calls, []);
      const doc = build(isDoc, { kind: 'doc', id: 'd1' });
      assert.deepEqual(await run(doc.schema, '{ doc { id } }', ADMIN), { data: { doc: { id: 'd1' } }, errors: [] });
      assert.deepEqual(doc.calls, ['d1']);
    });
  }

  test('a union member without isTypeOf or policies is not claimed for every value', async () => {
    const { schema } = build(() => true, null);
    assert.deepEqual(await run(schema, '{ pet { __typename ... on Dog { name } } }', ADMIN), { data: { pet: { __typename: 'Dog', name: 'Rex' } }, errors: [] });
  });
});

describe('an interface or union without resolveType, over a policy type without isTypeOf', () => {
  // graphql-js would ask Doc's isTypeOf, which now decides Doc's policy and would
  // claim every object as a Doc: the transformer resolves on the types as written.
  const typeDefs = `${apolloAuthorizationTypeDefs}
    type Doc @policy(policies: [["doc.open"]]) { id: ID! }
    type Note { id: ID! }
    union Item = Doc | Note
    type Query { item(id: ID!): Item }`;
  for (const open of [true, false]) {
    test(`a Note is a Note, and Doc's policy (${open ? 'allowing' : 'denying'}) is never asked about it`, async () => {
      const asked: string[] = [];
      const schema = makeAuthSchema({
        typeDefs,
        policies: { 'doc.open': ({ parent }) => (asked.push((parent as { id: string }).id), open) },
        resolvers: {
          Query: { item: (_: unknown, { id }: { id: string }) => (id.startsWith('d') ? { __typename: 'Doc', id } : { kind: 'note', id }) },
          Note: { __isTypeOf: (value: { kind?: string }) => value.kind === 'note' },
        },
      });
      assert.deepEqual(await run(schema, '{ item(id: "n1") { __typename ... on Note { id } } }', ADMIN), { data: { item: { __typename: 'Note', id: 'n1' } }, errors: [] });
      assert.deepEqual(asked, []);
      assert.deepEqual(
        await run(schema, '{ item(id: "d1") { __typename } }', ADMIN),
        open ? { data: { item: { __typename: 'Doc' } }, errors: [] } : { data: { item: null }, errors: [['item', 'Forbidden: requires policy doc.open.']] },
      );
      assert.deepEqual(asked, ['d1']);
    });
  }
});

describe('a field with both a static requirement and a policy', () => {
  const typeDefs = `${apolloAuthorizationTypeDefs} type Query { x: String @hasRole(role: "admin") @policy(policies: [["p"]]) }`;
  const build = (allow: boolean) => {
    const asked: string[] = [];
    const schema = makeAuthSchema({ typeDefs, resolvers: { Query: { x: () => 'x' } }, policies: { p: ({ principal }) => (asked.push(principal?.subject ?? 'anonymous'), allow) } });
    return { schema, asked };
  };

  test('a caller meeting both gets the value', async () => {
    const { schema, asked } = build(true);
    assert.deepEqual(await run(schema, '{ x }', ADMIN), { data: { x: 'x' }, errors: [] });
    assert.deepEqual(asked, ['alice']);
  });

  test('audit mode: a caller lacking the role gets the value, the role denial is recorded and the policy still decides', async () => {
    const allowing = build(true);
    const audit = auditRuntime();
    assert.deepEqual(await run(allowing.schema, '{ x }', who(), { [AUTH_RUNTIME]: audit.runtime }), { data: { x: 'x' }, errors: [] });
    assert.deepEqual(audit.wouldDeny, [['Query.x', 'Forbidden: requires role admin.']]);
    assert.deepEqual(allowing.asked, ['alice']);
    const denying = build(false);
    const both = auditRuntime();
    assert.deepEqual(await run(denying.schema, '{ x }', who(), { [AUTH_RUNTIME]: both.runtime }), { data: { x: 'x' }, errors: [] });
    assert.deepEqual(both.wouldDeny, [['Query.x', 'Forbidden: requires role admin.'], ['Query.x', 'Forbidden: requires policy p.']]);
  });

  test('audit mode: a caller meeting both records nothing', async () => {
    const { schema } = build(true);
    const audit = auditRuntime();
    assert.deepEqual(await run(schema, '{ x }', ADMIN, { [AUTH_RUNTIME]: audit.runtime }), { data: { x: 'x' }, errors: [] });
    assert.deepEqual(audit.wouldDeny, []);
  });
});

test('a guarded subscription field without its own subscribe reads its source from the root value, and each event is guarded', async () => {
  const schema = makeAuthSchema({ typeDefs: 'type Query { x: String } type Subscription { ticks: Int @hasRole(role: "admin") }' });
  async function* ticks() {
    yield { ticks: 1 };
    yield { ticks: 2 };
  }
  const events = async (principal: Principal | null) => {
    const stream = await subscribe({ schema, document: parse('subscription { ticks }'), rootValue: { ticks: ticks() }, contextValue: { principal } });
    assert.ok(Symbol.asyncIterator in stream, JSON.stringify(stream));
    const seen = [];
    for await (const event of stream) seen.push(JSON.parse(JSON.stringify({ data: event.data, errors: event.errors?.map((e) => e.message) })));
    return seen;
  };
  assert.deepEqual(await events(ADMIN), [{ data: { ticks: 1 } }, { data: { ticks: 2 } }]);
  assert.deepEqual(await events(who()), [
    { data: { ticks: null }, errors: ['Forbidden: requires role admin.'] },
    { data: { ticks: null }, errors: ['Forbidden: requires role admin.'] },
  ]);
});

test('an asynchronous resolveType still meets the resolved type\'s guard', async () => {
  const schema = makeAuthSchema({
    typeDefs: `interface Node { id: ID! } type Secret implements Node @hasRole(role: "admin") { id: ID! } type Open implements Node { id: ID! }
      type Query { node(id: ID!): Node }`,
    resolvers: {
      Query: { node: (_: unknown, { id }: { id: string }) => ({ id }) },
      Node: { __resolveType: async ({ id }: { id: string }) => (id.startsWith('s') ? 'Secret' : 'Open') },
    },
  });
  assert.deepEqual(await run(schema, '{ node(id: "s1") { id } }', null), { data: { node: null }, errors: [['node', 'Unauthenticated: requires role admin.']] });
  assert.deepEqual(await run(schema, '{ node(id: "s1") { id } }', ADMIN), { data: { node: { id: 's1' } }, errors: [] });
  assert.deepEqual(await run(schema, '{ node(id: "o1") { id } }', null), { data: { node: { id: 'o1' } }, errors: [] });
});

describe('federation: a guarded entity through _entities', () => {
  // Found has its own __resolveReference (which adds the title); Bare has none.
  const subgraph = () => {
    const looked: string[] = [];
    const schema = buildSubgraphSchema({
      typeDefs: parse(`${authDirectiveTypeDefs}
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
        type Found @key(fields: "id") @auth { id: ID! title: String }
        type Bare @key(fields: "id") @auth { id: ID! title: String }
        type Query { ping: String }`),
      resolvers: { Found: { __resolveReference: ({ id }: { id: string }) => (looked.push(id), { id, title: `title of ${id}` }) } } as never,
    });
    return { schema: authDirectiveTransformer(schema), looked };
  };
  const ENTITIES = '{ _entities(representations: [{ __typename: "Found", id: "f1" }, { __typename: "Bare", id: "b1", title: "given" }]) { ... on Found { id title } ... on Bare { id title } } }';

  test('an allowed caller gets each entity: through its resolver, or the representation itself', async () => {
    const { schema, looked } = subgraph();
    assert.deepEqual(await run(schema, ENTITIES, who()), { data: { _entities: [{ id: 'f1', title: 'title of f1' }, { id: 'b1', title: 'given' }] }, errors: [] });
    assert.deepEqual(looked, ['f1']);
  });

  test('an anonymous caller gets each denied at its _entities path, and no resolver runs', async () => {
    const { schema, looked } = subgraph();
    assert.deepEqual(await run(schema, ENTITIES, null), {
      data: { _entities: [null, null] },
      errors: [['_entities.0', 'Unauthenticated: requires authentication.'], ['_entities.1', 'Unauthenticated: requires authentication.']],
    });
    assert.deepEqual(looked, []);
  });

  test('audit mode: an anonymous caller gets each entity as an allowed one would, each would-be denial recorded under Query._entities', async () => {
    const { schema, looked } = subgraph();
    const audit = auditRuntime();
    assert.deepEqual(await run(schema, ENTITIES, null, { [AUTH_RUNTIME]: audit.runtime }), { data: { _entities: [{ id: 'f1', title: 'title of f1' }, { id: 'b1', title: 'given' }] }, errors: [] });
    assert.deepEqual(looked, ['f1']);
    // The reference resolver's check is recorded under Query._entities for each entity; the fields' and the _Entity union's under their own.
    const anonymous = 'Unauthenticated: requires authentication.';
    assert.deepEqual(audit.wouldDeny, [
      ['Query._entities', anonymous],
      ['Query._entities', anonymous],
      ['Found.id', anonymous],
      ['Found.title', anonymous],
      ['Query._entities', anonymous],
      ['Bare.id', anonymous],
      ['Bare.title', anonymous],
    ]);
  });
});

test('each denial reaches the schema\'s observer with its coordinate, its code and whether it was only audited', async () => {
  const schema = makeAuthSchema({
    typeDefs: `${apolloAuthorizationTypeDefs}
      type Secret @hasRole(role: "admin") { id: ID! }
      type Query { secret: Secret mine: String @auth plain: String open: String @policy(policies: [["p"]]) }`,
    resolvers: { Query: { secret: () => ({ id: 's' }), mine: () => 'm', plain: () => 'p', open: () => 'o' } },
    policies: { p: ({ principal }) => principal !== null },
  });
  const heard: [string, string, boolean][] = [];
  observeDenials(schema, (coordinate, code, audit) => heard.push([coordinate, code, audit]));
  await run(schema, '{ mine plain open }', null);
  assert.deepEqual(heard, [['Query.mine', 'UNAUTHENTICATED', false], ['Query.open', 'UNAUTHENTICATED', false]]);
  heard.length = 0;
  await run(schema, '{ secret { id } mine }', who());
  assert.deepEqual(heard, [['Query.secret', 'FORBIDDEN', false]]);
  heard.length = 0;
  await run(schema, '{ secret { id } mine }', null, { [AUTH_RUNTIME]: auditRuntime().runtime });
  // Audit goes on past a would-be denial, so the type's own fields are heard of too.
  assert.deepEqual(heard, [['Query.secret', 'UNAUTHENTICATED', true], ['Secret.id', 'UNAUTHENTICATED', true], ['Query.mine', 'UNAUTHENTICATED', true]]);
  heard.length = 0;
  await run(schema, '{ secret { id } mine plain }', ADMIN);
  assert.deepEqual(heard, []);
  // Another schema's observer hears nothing of this one's denials.
  const other = makeAuthSchema({ typeDefs: 'type Query { x: String @auth }', resolvers: { Query: { x: () => 'x' } } });
  await run(other, '{ x }', null);
  assert.deepEqual(heard, []);
});

test("federation: an entity interface's guard runs before its __resolveReference, and a denial stays at its own _entities entry", async () => {
  const looked: string[] = [];
  const subgraph = buildSubgraphSchema({
    typeDefs: parse(`${authDirectiveTypeDefs}
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      interface Node @key(fields: "id") @hasRole(role: "admin") { id: ID! }
      type Doc implements Node @key(fields: "id") { id: ID! title: String }
      type Open @key(fields: "id") { id: ID! }
      type Query { ping: String }`),
    resolvers: { Node: { __resolveReference: ({ id }: { id: string }) => (looked.push(id), { __typename: 'Doc', id, title: `title of ${id}` }) } } as never,
  });
  const schema = authDirectiveTransformer(subgraph);
  const query = '{ _entities(representations: [{ __typename: "Node", id: "n1" }, { __typename: "Open", id: "o1" }]) { ... on Doc { id title } ... on Open { id } } }';
  assert.deepEqual(await run(schema, query, null), { data: { _entities: [null, { id: 'o1' }] }, errors: [['_entities.0', 'Unauthenticated: requires role admin.']] });
  assert.deepEqual(await run(schema, query, who()), { data: { _entities: [null, { id: 'o1' }] }, errors: [['_entities.0', 'Forbidden: requires role admin.']] });
  assert.deepEqual(looked, []);
  assert.deepEqual(await run(schema, query, ADMIN), { data: { _entities: [{ id: 'n1', title: 'title of n1' }, { id: 'o1' }] }, errors: [] });
  assert.deepEqual(looked, ['n1']);
});
