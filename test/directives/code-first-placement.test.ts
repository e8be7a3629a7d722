// Code-first schemas (graphql-js constructors, Pothos, graphql-tools) keep
// directive usages in `extensions.directives`, where graphql-js validates
// nothing. Every misplaced, unreadable or misspelt usage stops start-up with
// the same message the SDL placement check gives; nothing is skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { AuthSchemaError } from '../../src/directives/auth-schema-error.ts';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { useClaimgate } from '../../src/plugin/use-claimgate.ts';

const Item = new GraphQLObjectType({ name: 'Item', fields: { id: { type: GraphQLString } } });

/** A schema whose Query has `fields`, plus whatever types `types` adds. */
function schemaWith(fields: GraphQLFieldConfigMap<unknown, unknown>, extra: { types?: GraphQLNamedType[]; extensions?: Record<string, unknown> } = {}) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString }, ...fields } }),
    types: extra.types ?? [],
    ...(extra.extensions === undefined ? {} : { extensions: extra.extensions }),
  });
}

const misplaced = 'cannot be used here; put it on an object type, an interface, or a field of one.';

const cases: [string, () => GraphQLSchema, string][] = [
  [
    'an argument',
    () => schemaWith({ a: { type: GraphQLString, args: { id: { type: GraphQLString, extensions: { directives: { hasRole: { role: 'admin' } } } } } } }),
    `@hasRole on argument Query.a(id:): ${misplaced}`,
  ],
  [
    'an input field',
    () => {
      const NewUser = new GraphQLInputObjectType({ name: 'NewUser', fields: { name: { type: GraphQLString, extensions: { directives: { auth: {} } } } } });
      return schemaWith({ a: { type: GraphQLString, args: { input: { type: NewUser } } } });
    },
    `@auth on input field NewUser.name: ${misplaced}`,
  ],
  [
    'an input type',
    () => {
      const NewUser = new GraphQLInputObjectType({ name: 'NewUser', fields: { name: { type: GraphQLString } }, extensions: { directives: [{ name: 'hasScope', args: { scope: 'w' } }] } });
      return schemaWith({ a: { type: GraphQLString, args: { input: { type: NewUser } } } });
    },
    `@hasScope on input type NewUser: ${misplaced}`,
  ],
  [
    'an enum value',
    () => schemaWith({ c: { type: new GraphQLEnumType({ name: 'Color', values: { RED: { extensions: { directives: { auth: {} } } } } }) } }),
    `@auth on enum value Color.RED: ${misplaced}`,
  ],
  [
    'an enum (claimgate\'s own directive; Apollo\'s may stand there)',
    () => schemaWith({ c: { type: new GraphQLEnumType({ name: 'Color', values: { RED: {} }, extensions: { directives: { hasRole: { role: 'a' } } } }) } }),
    `@hasRole on enum Color: ${misplaced}`,
  ],
  [
    'a union',
    () => schemaWith({ u: { type: new GraphQLUnionType({ name: 'U', types: [Item], extensions: { directives: { auth: {} } } }) } }),
    `@auth on union U: ${misplaced}`,
  ],
  [
    'a union (Apollo\'s directive)',
    () => schemaWith({ u: { type: new GraphQLUnionType({ name: 'U', types: [Item], extensions: { directives: { authenticated: {} } } }) } }),
    '@authenticated on union U: cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
  ],
  [
    'a union (Apollo\'s @policy, which was once skipped there)',
    () => schemaWith({ u: { type: new GraphQLUnionType({ name: 'U', types: [Item], extensions: { directives: { policy: { policies: [['p']] } } } }) } }),
    '@policy on union U: cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
  ],
  [
    'a scalar',
    () => schemaWith({ d: { type: new GraphQLScalarType({ name: 'Date', extensions: { directives: { public: {} } } }) } }),
    `@public on scalar Date: ${misplaced}`,
  ],
  ['the schema', () => schemaWith({}, { extensions: { directives: { auth: {} } } }), `@auth on the schema: ${misplaced}`],
  [
    'a lower-case name (hasrole)',
    () => schemaWith({ a: { type: GraphQLString, extensions: { directives: { hasrole: { role: 'admin' } } } } }),
    '@hasrole on field Query.a: unknown directive; did you mean @hasRole? claimgate refuses names this close to its own, which would protect nothing.',
  ],
  [
    'a plural (hasRoles), in the list shape',
    () => schemaWith({ a: { type: GraphQLString, extensions: { directives: [{ name: 'hasRoles', args: { roles: ['admin'] } }] } } }),
    '@hasRoles on field Query.a: unknown directive; did you mean @hasRole? claimgate refuses names this close to its own, which would protect nothing.',
  ],
  [
    'a near miss of Apollo\'s (requireScopes) on a type',
    () => schemaWith({ i: { type: new GraphQLObjectType({ name: 'Secret', fields: { id: { type: GraphQLString } }, extensions: { directives: { requireScopes: { scopes: [['a']] } } } }) } }),
    '@requireScopes on type Secret: unknown directive; did you mean @requiresScopes? claimgate refuses names this close to its own, which would protect nothing.',
  ],
  [
    'a separator variant (has_role)',
    () => schemaWith({ a: { type: GraphQLString, extensions: { directives: { has_role: { role: 'admin' } } } } }),
    '@has_role on field Query.a: unknown directive; did you mean @hasRole? claimgate refuses names this close to its own, which would protect nothing.',
  ],
  [
    'extensions.directives that is a string',
    () => schemaWith({ a: { type: GraphQLString, extensions: { directives: '@auth' } } }),
    '@directives on field Query.a: extensions.directives cannot be read: it is a string; use { name: args } or [{ name, args }].',
  ],
  [
    'a list entry without a name',
    () => schemaWith({ a: { type: GraphQLString, extensions: { directives: [{ directive: 'auth' }] } } }),
    '@directives on field Query.a: extensions.directives cannot be read: an entry is {"directive":"auth"}, not { name, args }; use { name: args } or [{ name, args }].',
  ],
];

for (const [where, build, message] of cases) {
  test(`start-up stops on a code-first usage on ${where}, with user's createYoga + useClaimgate`, () => {
    const schema = build();
    const expected = (error: unknown) => {
      assert.ok(error instanceof AuthSchemaError, String(error));
      assert.equal(error.code, 'ERR_CLAIMGATE_AUTH_SCHEMA');
      assert.equal(error.message, message);
      return true;
    };
    assert.throws(() => authDirectiveTransformer(schema), expected);
    assert.throws(() => createYoga({ schema, plugins: [useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }] })] }), expected);
  });
}

test('names that are someone else\'s directives pass: short names differ by more than case, long ones by more than one edit', () => {
  const schema = schemaWith({
    a: { type: GraphQLString, extensions: { directives: { auth0: {}, pub: {}, hasRoleIn: { x: 1 }, cacheControl: { maxAge: 1 } } } },
  });
  assert.doesNotThrow(() => authDirectiveTransformer(schema));
});

test('the list shape is read, not skipped: a Pothos-style [{ name, args }] usage protects its field', async () => {
  const schema = authDirectiveTransformer(schemaWith({ a: { type: GraphQLString, resolve: () => 'secret', extensions: { directives: [{ name: 'hasRole', args: { role: 'admin' } }] } } }));
  const { execute, parse } = await import('graphql');
  const result = await execute({ schema, document: parse('{ a }'), contextValue: { principal: null } });
  assert.deepEqual(JSON.parse(JSON.stringify(result)), {
    data: { a: null },
    errors: [{ message: 'Unauthenticated: requires role admin.', locations: [{ line: 1, column: 3 }], path: ['a'], extensions: { code: 'UNAUTHENTICATED' } }],
  });
});
