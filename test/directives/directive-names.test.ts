// Misspelt directive names protect nothing, so claimgate refuses near misses
// of its own; and a code-first usage it cannot read stops start-up. The rules
// themselves, in process (the schema-level cases are in code-first-placement).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nearMiss } from '../../src/directives/assert-code-first-placement.ts';
import { readExtensionDirectives } from '../../src/directives/read-extension-directives.ts';

describe('nearMiss', () => {
  test('our exact names and Apollo\'s (namespaced too) are not near misses', () => {
    for (const name of ['auth', 'hasRole', 'hasAnyRole', 'hasScope', 'hasClaim', 'public', 'authenticated', 'requiresScopes', 'federation__authenticated', 'federation__requiresScopes']) {
      assert.equal(nearMiss(name), undefined, name);
    }
  });
  test('case and separators only, for any length', () => {
    const cases: [string, string][] = [
      ['AUTH', 'auth'], ['Public', 'public'], ['hasrole', 'hasRole'], ['has_role', 'hasRole'], ['has-role', 'hasRole'],
      ['HAS_ANY_ROLE', 'hasAnyRole'], ['has_scope', 'hasScope'], ['has_claim', 'hasClaim'], ['Authenticated', 'authenticated'], ['requires_scopes', 'requiresScopes'],
    ];
    for (const [name, intended] of cases) assert.equal(nearMiss(name), intended, name);
  });
  test('one edit (insert, delete, substitute, swap) for names of six letters or more', () => {
    const cases: [string, string][] = [
      ['hasRoles', 'hasRole'], ['hasRle', 'hasRole'], ['hasRolr', 'hasRole'], ['hasRloe', 'hasRole'], ['ahsRole', 'hasRole'],
      ['hasScopes', 'hasScope'], ['requireScopes', 'requiresScopes'], ['authenticate', 'authenticated'], ['hasClaims', 'hasClaim'], ['publik', 'public'],
    ];
    for (const [name, intended] of cases) assert.equal(nearMiss(name), intended, name);
  });
  test('two edits, or short names off by one letter, are someone else\'s directive', () => {
    for (const name of ['auth0', 'pub', 'uth', 'authz', 'hasRolesX', 'hsRle', 'hazRoles', 'publicKey', 'cacheControl', 'key', 'external', 'deprecated', 'specifiedBy', 'roleFor']) {
      assert.equal(nearMiss(name), undefined, name);
    }
  });
});

describe('readExtensionDirectives', () => {
  test('nothing there: no usages', () => {
    for (const extensions of [undefined, null, {}, { directives: undefined }, { directives: null }]) {
      assert.deepEqual(readExtensionDirectives(extensions, 'field Query.a'), []);
    }
  });
  test("graphql-tools' shape: { name: args } or { name: [args, ...] }, missing args read as {}", () => {
    assert.deepEqual(readExtensionDirectives({ directives: { hasRole: { role: 'a' }, auth: null, hasScope: [{ scope: 'x' }, { scope: 'y' }] } }, 'c'), [
      { name: 'hasRole', args: { role: 'a' } },
      { name: 'auth', args: {} },
      { name: 'hasScope', args: { scope: 'x' } },
      { name: 'hasScope', args: { scope: 'y' } },
    ]);
  });
  test("Pothos' shape: [{ name, args }], in order, missing args read as {}", () => {
    assert.deepEqual(readExtensionDirectives({ directives: [{ name: 'hasRole', args: { role: 'a' } }, { name: 'auth' }] }, 'c'), [
      { name: 'hasRole', args: { role: 'a' } },
      { name: 'auth', args: {} },
    ]);
  });
  test('anything else stops start-up, naming the coordinate and what was found', () => {
    const cases: [unknown, string][] = [
      ['hasRole', 'it is a string'],
      [42, 'it is a number'],
      [true, 'it is a boolean'],
      [[null], 'an entry is null, not { name, args }'],
      [['hasRole'], 'an entry is "hasRole", not { name, args }'],
      [[{ args: {} }], 'an entry is {"args":{}}, not { name, args }'],
      [[{ name: '' }], 'an entry is {"name":""}, not { name, args }'],
      [[{ name: 7 }], 'an entry is {"name":7}, not { name, args }'],
      [[undefined], 'an entry is undefined, not { name, args }'],
    ];
    for (const [directives, what] of cases) {
      assert.throws(() => readExtensionDirectives({ directives }, 'field Query.a'), {
        name: 'AuthSchemaError',
        message: `@directives on field Query.a: extensions.directives cannot be read: ${what}; use { name: args } or [{ name, args }].`,
      }, JSON.stringify(directives));
    }
  });
});
