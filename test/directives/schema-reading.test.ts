// Reading a schema's directives at start-up: every misuse stops start-up with
// a message naming the element and the directive, and every rule reaches the
// fields it should (interfaces, interface fields, protect-all's @public, the
// namespaced federation directives). In-process; written against the
// survivors of the directives run's schema-build half.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  GraphQLEnumType,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  Kind,
  parse,
  type DefinitionNode,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
} from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { assertDirectivePlacement } from '../../src/directives/assert-directive-placement.ts';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import { nearMiss } from '../../src/directives/assert-code-first-placement.ts';
import { apolloAuthorizationTypeDefs, authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';
import { runAs as run, testPrincipal as who } from '../support/run-schema.ts';

const MISPLACED = 'cannot be used here; put it on an object type, an interface, or a field of one.';

const build = (typeDefs: string, options: { mode?: 'protect-all'; policies?: Record<string, () => boolean>; resolvers?: Record<string, unknown> } = {}) => () =>
  makeAuthSchema({ typeDefs: `${apolloAuthorizationTypeDefs}\n${typeDefs}`, ...options } as Parameters<typeof makeAuthSchema>[0]);


describe('SDL: where a directive stands and which arguments it takes', () => {
  const cases: [string, string][] = [
    ['type T @hasRole(rol: "x") { a: String } type Query { t: T }', '@hasRole on type T: unknown argument "rol"; it takes role.'],
    ['interface I @hasClaim(c: "x") { a: String } type Query { a: String }', '@hasClaim on interface I: unknown argument "c"; it takes claim and value.'],
    ['type Query { x: String @auth(role: "admin") }', '@auth on field Query.x: unknown argument "role"; it takes no arguments.'],
    ['type Query { x: String @public(all: true) }', '@public on field Query.x: unknown argument "all"; it takes no arguments.'],
    ['input In @auth { a: String } type Query { x(i: In): String }', `@auth on input type In: ${MISPLACED}`],
    ['enum E @hasRole(role: "a") { A } type Query { e: E }', `@hasRole on enum E: ${MISPLACED}`],
    ['scalar S @auth type Query { s: S }', `@auth on scalar S: ${MISPLACED}`],
    ['scalar S extend scalar S @auth type Query { s: S }', `@auth on scalar S: ${MISPLACED}`],
    ['schema @auth { query: Query } type Query { x: String }', `@auth on the schema: ${MISPLACED}`],
  ];
  for (const [typeDefs, message] of cases) {
    test(message, () => assert.throws(() => makeAuthSchema({ typeDefs }), { name: 'AuthSchemaError', message }));
  }

  test('typeDefs given as parsed documents are checked as strings are', () => {
    assert.doesNotThrow(() => makeAuthSchema({ typeDefs: parse('type Query { x: String @auth }') }));
    assert.throws(() => makeAuthSchema({ typeDefs: [parse('type Query { x: String }'), parse('scalar S @auth')] }), { message: `@auth on scalar S: ${MISPLACED}` });
  });

  test('a hand-built document whose optional lists are absent is read, not crashed on', () => {
    const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
    const definitions = [
      { kind: Kind.OBJECT_TYPE_DEFINITION, name: name('Query'), fields: [{ kind: Kind.FIELD_DEFINITION, name: name('x'), type: { kind: Kind.NAMED_TYPE, name: name('String') } }] },
      { kind: Kind.OBJECT_TYPE_DEFINITION, name: name('Empty') },
      { kind: Kind.INPUT_OBJECT_TYPE_DEFINITION, name: name('In') },
      { kind: Kind.ENUM_TYPE_DEFINITION, name: name('E') },
      { kind: Kind.OBJECT_TYPE_DEFINITION, name: name('T'), directives: [{ kind: Kind.DIRECTIVE, name: name('auth') }] },
    ] as unknown as DefinitionNode[];
    assert.doesNotThrow(() => assertDirectivePlacement(definitions));
  });

  test('a near miss defined by the schema itself is refused: it would protect nothing', () => {
    assert.throws(
      () => makeAuthSchema({ typeDefs: 'directive @hasRoles(role: String) on FIELD_DEFINITION type Query { x: String @hasRoles(role: "admin") }' }),
      { message: '@hasRoles on field Query.x: unknown directive; did you mean @hasRole? claimgate refuses names this close to its own, which would protect nothing.' },
    );
  });
});

describe('SDL: what each directive asks, refused when it cannot be met', () => {
  const cases: [string, string][] = [
    ['type Query { x: String @requiresScopes(scopes: []) }', '@requiresScopes on field Query.x: scopes must be a non-empty list of non-empty lists (outer list OR, inner list AND).'],
    ['type Query { x: String @requiresScopes(scopes: [["a"], []]) }', '@requiresScopes on field Query.x: scopes must be a non-empty list of non-empty lists (outer list OR, inner list AND).'],
    ['type Query { x: String @requiresScopes(scopes: [["a", "b c"]]) }', '@requiresScopes on field Query.x: scope "b c" must be non-empty and contain no white space.'],
    ['type Query { x: String @hasScope(scope: "") }', '@hasScope on field Query.x: scope "" must be non-empty and contain no white space.'],
    ['type Query { x: String @policy(policies: [["a"], []]) }', '@policy on field Query.x: policies must be a non-empty list of non-empty lists (outer list OR, inner list AND).'],
    ['type Query { x: String @hasAnyRole(roles: []) }', '@hasAnyRole on field Query.x: roles must not be empty.'],
    ['type Query { x: String @hasAnyRole(roles: ["a", ""]) }', '@hasAnyRole on field Query.x: a role must not be empty.'],
    ['type Query { x: String @public @policy(policies: [["a"]]) }', '@public on field Query.x: cannot be combined with a requirement on the same element; remove one of them.'],
    ['type Query @policy(policies: [["a"]]) { x: String }', '@policy on type Query: cannot be used on a root operation type; put it on its fields.'],
    ['type T @hasRole(role: "") { a: String } type Query { t: T }', '@hasRole on type T: a role must not be empty.'],
    ['interface I @hasRole(role: " a") { a: String } type Query { a: String }', '@hasRole on interface I: role " a" has leading or trailing white space.'],
    ['enum E @requiresScopes(scopes: [["a b"]]) { A } type Query { e: E }', '@requiresScopes on enum E: scope "a b" must be non-empty and contain no white space.'],
    ['scalar S @requiresScopes(scopes: [[""]]) type Query { s: S }', '@requiresScopes on scalar S: scope "" must be non-empty and contain no white space.'],
    // An interface nothing implements yet is read too.
    ['interface Lonely { x: String @hasRole(role: "") } type Query { a: String }', '@hasRole on field Lonely.x: a role must not be empty.'],
  ];
  for (const [typeDefs, message] of cases) {
    test(message, () => assert.throws(build(typeDefs, { policies: { a: () => true } }), { name: 'AuthSchemaError', message }));
  }

  test('an unregistered policy is named with the first element that uses it, interface fields included', () => {
    assert.throws(build('type Query { x: String @policy(policies: [["p"]]) y: String @policy(policies: [["p"]]) }'), {
      message: 'authDirectiveTransformer: policy "p" is used by @policy on field Query.x but not registered (registered: none).',
    });
    assert.throws(build('interface Lonely { x: String @policy(policies: [["q"]]) } type Query { a: String }'), {
      message: 'authDirectiveTransformer: policy "q" is used by @policy on field Lonely.x but not registered (registered: none).',
    });
  });
});

describe('rules that reach a field from elsewhere', () => {
  test('a policy on an interface field applies to the field of every implementing type', async () => {
    const schema = build('interface I { x: String @policy(policies: [["no"]]) } type T implements I { x: String } type Query { t: T }', {
      policies: { no: () => false },
      resolvers: { Query: { t: () => ({ x: 'secret' }) } },
    })();
    assert.deepEqual(await run(schema, '{ t { x } }', who()), { data: { t: { x: null } }, errors: [['t.x', 'Forbidden: requires policy no.']] });
  });

  const protectAll = (typeDefs: string) => build(typeDefs, { mode: 'protect-all', resolvers: { Query: { t: () => ({ a: 'a', b: 'b' }) } } })();
  test('protect-all: an interface marked @public makes the fields of its implementing types public', async () => {
    const schema = protectAll('interface I @public { a: String } type T implements I { a: String b: String } type Query @public { t: T }');
    assert.deepEqual(await run(schema, '{ t { a b } }', null), { data: { t: { a: 'a', b: 'b' } }, errors: [] });
  });
});

describe('code-first: extensions.directives', () => {
  const schemaWith = (fields: GraphQLFieldConfigMap<unknown, unknown>, types: GraphQLNamedType[] = []) =>
    new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString }, ...fields } }), types });

  test('a near miss on an object type or an interface is named by its kind', () => {
    const T = new GraphQLObjectType({ name: 'T', fields: { a: { type: GraphQLString } }, extensions: { directives: { hasrole: { role: 'a' } } } });
    assert.throws(() => authDirectiveTransformer(schemaWith({ t: { type: T } })), { message: /^@hasrole on type T: unknown directive; did you mean @hasRole\?/ });
    const I = new GraphQLInterfaceType({ name: 'I', fields: { a: { type: GraphQLString } }, extensions: { directives: { Public: {} } } });
    assert.throws(() => authDirectiveTransformer(schemaWith({ i: { type: I } })), { message: /^@Public on interface I: unknown directive; did you mean @public\?/ });
  });

  test("someone else's directives in code pass anywhere; ours on an interface pass", () => {
    const E = new GraphQLEnumType({ name: 'E', values: { A: { extensions: { directives: { cacheControl: { maxAge: 5 } } } } }, extensions: { directives: { cacheControl: {} } } });
    const I = new GraphQLInterfaceType({ name: 'I', fields: { a: { type: GraphQLString } }, extensions: { directives: { hasRole: { role: 'a' } } } });
    assert.doesNotThrow(() => authDirectiveTransformer(schemaWith({ e: { type: E, args: { x: { type: GraphQLString, extensions: { directives: { deprecatedArg: {} } } } } }, i: { type: I } })));
  });

  test("Apollo's @authenticated and @requiresScopes in code pass on an enum and a scalar, and are enforced there; not on a union", async () => {
    const E = new GraphQLEnumType({ name: 'E', values: { A: {} }, extensions: { directives: { authenticated: {} } } });
    const S = new GraphQLScalarType({ name: 'S', extensions: { directives: { requiresScopes: { scopes: [['read']] } } } });
    const schema = authDirectiveTransformer(schemaWith({ e: { type: E, resolve: () => 'A' }, s: { type: S, resolve: () => 's' } }));
    assert.deepEqual(await run(schema, '{ e s }', null), {
      data: { e: null, s: null },
      errors: [['e', 'Unauthenticated: requires authentication.'], ['s', 'Unauthenticated: requires scopes read.']],
    });
    const Item = new GraphQLObjectType({ name: 'Item', fields: { a: { type: GraphQLString } } });
    const U = new GraphQLUnionType({ name: 'U', types: [Item], extensions: { directives: { authenticated: {} } } });
    assert.throws(() => authDirectiveTransformer(schemaWith({ u: { type: U } })), {
      message: '@authenticated on union U: cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
    });
  });

  test('@policy in code where it cannot be decided (a union, an input field, an argument) stops start-up instead of being skipped', () => {
    const Item = new GraphQLObjectType({ name: 'Item', fields: { a: { type: GraphQLString } } });
    const policy = { directives: { policy: { policies: [['p']] } } };
    const U = new GraphQLUnionType({ name: 'U', types: [Item], extensions: policy });
    assert.throws(() => authDirectiveTransformer(schemaWith({ u: { type: U } }), { policies: { p: () => true } }), {
      message: '@policy on union U: cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
    });
    assert.throws(() => authDirectiveTransformer(schemaWith({ x: { type: GraphQLString, args: { id: { type: GraphQLString, extensions: policy } } } }), { policies: { p: () => true } }), {
      message: '@policy on argument Query.x(id:): cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
    });
    const S = new GraphQLScalarType({ name: 'S', extensions: policy });
    assert.doesNotThrow(() => authDirectiveTransformer(schemaWith({ s: { type: S } }), { policies: { p: () => true } }));
  });

  test('a list entry that is a function is not read as a usage, even one named like a directive', () => {
    function hasRole() {}
    const T = new GraphQLObjectType({ name: 'T', fields: { a: { type: GraphQLString } }, extensions: { directives: [hasRole] } });
    assert.throws(() => authDirectiveTransformer(schemaWith({ t: { type: T } })), { message: /^@directives on type T: extensions.directives cannot be read: an entry is/ });
  });

  test('a usage with several arguments is read whole: @hasClaim(claim, value) in code', async () => {
    const schema = authDirectiveTransformer(schemaWith({ x: { type: GraphQLString, resolve: () => 'x', extensions: { directives: { hasClaim: { claim: 'tier', value: 'gold' } } } } }));
    assert.deepEqual(await run(schema, '{ x }', who()), { data: { x: null }, errors: [['x', 'Forbidden: requires claim tier to be "gold".']] });
    assert.deepEqual(await run(schema, '{ x }', { ...who(), claims: { tier: 'gold' } }), { data: { x: 'x' }, errors: [] });
  });

  const argumentCases: [unknown, string][] = [
    ['admin', 'expected an object of arguments, got "admin".'],
    [[['admin']], 'expected an object of arguments, got ["admin"].'],
    [{ role: 'admin', extra: 1 }, 'unknown argument "extra".'],
    [{}, 'argument "role" of type "String!" is required.'],
    [{ role: 5 }, 'argument "role": String cannot represent a non string value: 5 (got 5).'],
  ];
  for (const [args, problem] of argumentCases) {
    test(`arguments are coerced as in SDL: ${JSON.stringify(args)} → ${problem}`, () => {
      const field = { type: GraphQLString, extensions: { directives: { hasRole: args } } };
      assert.throws(() => authDirectiveTransformer(schemaWith({ x: field })), { name: 'AuthSchemaError', message: `@hasRole on field Query.x: invalid arguments in extensions.directives: ${problem}` });
    });
  }
});

test('the federation-namespaced @federation__authenticated, @federation__requiresScopes and @federation__policy are enforced like the imported ones', async () => {
  const subgraph = buildSubgraphSchema({
    typeDefs: parse(`${authDirectiveTypeDefs}
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
      type Query {
        x: String @federation__policy(policies: [["no"]])
        signedIn: String @federation__authenticated
        scoped: String @federation__requiresScopes(scopes: [["read"]])
        y: String
      }`),
    resolvers: { Query: { x: () => 'x', y: () => 'y', signedIn: () => 's', scoped: () => 'r' } } as never,
  });
  const schema = authDirectiveTransformer(subgraph, { policies: { no: () => false } });
  assert.deepEqual(await run(schema, '{ x y }', who()), { data: { x: null, y: 'y' }, errors: [['x', 'Forbidden: requires policy no.']] });
  assert.deepEqual(await run(schema, '{ signedIn scoped y }', null), {
    data: { signedIn: null, scoped: null, y: 'y' },
    errors: [['signedIn', 'Unauthenticated: requires authentication.'], ['scoped', 'Unauthenticated: requires scopes read.']],
  });
  assert.deepEqual(await run(schema, '{ signedIn scoped }', { ...who(), scopes: ['read'] }), { data: { signedIn: 's', scoped: 'r' }, errors: [] });
});

test('near misses: one edit at the start, the end or inside; two edits or a long prefix are not', () => {
  for (const [name, intended] of [['xasRole', 'hasRole'], ['hasRolx', 'hasRole'], ['hasXole', 'hasRole'], ['xhasRole', 'hasRole'], ['asRole', 'hasRole'], ['hasRoel', 'hasRole'], ['hsaRole', 'hasRole']] as const) {
    assert.equal(nearMiss(name), intended, name);
  }
  for (const name of ['xxsRole', 'hasRoxx', 'ahsRoel', 'xhasRolx', 'sahRole', 'hasRoleXY', 'XYhasRole']) assert.equal(nearMiss(name), undefined, name);
});

test('a schema built without SDL keeps its resolvers through makeExecutableSchema and the transformer', async () => {
  const schema = authDirectiveTransformer(makeExecutableSchema({ typeDefs: `${authDirectiveTypeDefs} type Query { x: String @auth }`, resolvers: { Query: { x: () => 'x' } } }));
  assert.deepEqual(await run(schema, '{ x }', who()), { data: { x: 'x' }, errors: [] });
});
