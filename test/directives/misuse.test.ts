// Misused directives stop the schema build (start-up) with a message naming
// the type, the field and the directive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { AuthSchemaError } from '../../src/directives/auth-schema-error.ts';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';

const cases: [string, string, string][] = [
  ['an empty role', 'type Query { a: String @hasRole(role: "") }', '@hasRole on field Query.a: a role must not be empty.'],
  ['a role with white space around it', 'type Query { a: String @hasRole(role: " admin") }', '@hasRole on field Query.a: role " admin" has leading or trailing white space.'],
  [
    'a list where one role is expected',
    'type Query { a: String @hasRole(role: ["admin", "editor"]) }',
    '@hasRole on field Query.a: invalid arguments: Argument "role" has invalid value ["admin", "editor"].',
  ],
  [
    'an unknown argument name',
    'type T @hasRole(roles: "admin") { a: String } type Query { t: T }',
    '@hasRole on type T: unknown argument "roles"; it takes role.',
  ],
  ['an empty any-of list', 'type Query { a: String @hasAnyRole(roles: []) }', '@hasAnyRole on field Query.a: roles must not be empty.'],
  ['a scope with a space', 'type Query { a: String @hasScope(scope: "read write") }', '@hasScope on field Query.a: scope "read write" must be non-empty and contain no white space.'],
  [
    'a claim value that is an object',
    'type Query { a: String @hasClaim(claim: "dept", value: { name: "x" }) }',
    '@hasClaim on field Query.a: value must be a String, Boolean, Int or Float literal.',
  ],
  [
    'a malformed JSON Pointer',
    'type Query { a: String @hasClaim(claim: "/a~2b", value: true) }',
    '@hasClaim on field Query.a: claim "/a~2b" is not a valid JSON Pointer: "~" must be followed by 0 or 1.',
  ],
  [
    'a directive on an input field',
    'input NewUser { name: String @auth } type Query { a(input: NewUser): String }',
    '@auth on input field NewUser.name: cannot be used here; put it on an object type, an interface, or a field of one.',
  ],
  [
    'a directive on an argument',
    'type Query { a(id: ID @hasRole(role: "admin")): String }',
    '@hasRole on argument Query.a(id:): cannot be used here; put it on an object type, an interface, or a field of one.',
  ],
  [
    'a directive on an enum value',
    'enum Color { RED @auth } type Query { c: Color }',
    '@auth on enum value Color.RED: cannot be used here; put it on an object type, an interface, or a field of one.',
  ],
  [
    'a directive on a union',
    'type A { a: String } union U @auth = A type Query { u: U }',
    '@auth on union U: cannot be used here; put it on an object type, an interface, or a field of one.',
  ],
  ['@public together with a requirement', 'type Query { a: String @public @auth }', '@public on field Query.a: cannot be combined with a requirement on the same element; remove one of them.'],
];

for (const [name, typeDefs, message] of cases) {
  test(`start-up fails on ${name}`, () => {
    assert.throws(() => makeAuthSchema({ typeDefs }), (error: unknown) => {
      assert.ok(error instanceof AuthSchemaError);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test('the transformer alone also refuses misplaced directives in a schema built without SDL validation', () => {
  const schema = makeExecutableSchema({
    typeDefs: [authDirectiveTypeDefs, 'input NewUser { name: String @auth } type Query { a(input: NewUser): String }'],
    assumeValidSDL: true,
  });
  assert.throws(() => authDirectiveTransformer(schema), /@auth on input field NewUser\.name: cannot be used here/);
});

test('an unknown mode is a TypeError naming the option', () => {
  const schema = makeExecutableSchema({ typeDefs: [authDirectiveTypeDefs, 'type Query { a: String }'] });
  assert.throws(() => authDirectiveTransformer(schema, { mode: 'strict' as never }), {
    name: 'TypeError',
    message: 'mode must be "default" or "protect-all", not "strict"',
  });
});
