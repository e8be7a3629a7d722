// The building blocks every directive compiles to: each requirement's test,
// the words a denial uses, and the guard that checks them in order. In
// process, no schema: the schema-level semantics are in semantics.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGraphQLError } from 'graphql-yoga';
import { AUTH_RUNTIME, authRuntimeOf, ENFORCING_RUNTIME } from '../../src/directives/auth-runtime.ts';
import { compileGuard, denialError, deniedRequirement } from '../../src/directives/compile-guard.ts';
import { authenticated, hasAnyRole, hasClaim, hasRole, hasScope, requiresScopes } from '../../src/directives/requirement.ts';
import { parseClaimPath } from '../../src/principal/claim-path.ts';
import { createPrincipal, type Principal } from '../../src/principal/principal.ts';

function caller(claims: Record<string, unknown> = {}): Principal {
  return createPrincipal({ sub: 'alice', exp: 9_999_999_999, ...claims }, { issuer: 'https://issuer.test', rolesClaim: ['roles'] });
}

const describeError = (error: ReturnType<ReturnType<typeof compileGuard>>) => error && [error.extensions.code, error.message];

describe('requirements', () => {
  test('authentication has no test of its own', () => {
    assert.deepEqual({ ...authenticated }, { key: 'authenticated', description: 'authentication', test: undefined });
    assert.ok(Object.isFrozen(authenticated));
  });

  test('hasRole: exactly that role, case and all', () => {
    const r = hasRole('admin');
    assert.deepEqual([r.key, r.description], ['role:admin', 'role admin']);
    assert.equal(r.test!(caller({ roles: ['reader', 'admin'] })), true);
    for (const roles of [[], ['Admin'], ['admin '], ['administrator'], 'reader admin']) assert.equal(r.test!(caller({ roles })), false, JSON.stringify(roles));
  });

  test('hasAnyRole: any one; a single role is hasRole; the key ignores order', () => {
    const r = hasAnyRole(['editor', 'admin']);
    assert.equal(r.description, 'one of the roles editor, admin');
    assert.equal(r.key, hasAnyRole(['admin', 'editor']).key);
    assert.notEqual(r.key, hasAnyRole(['admin']).key);
    assert.equal(r.test!(caller({ roles: ['admin'] })), true);
    assert.equal(r.test!(caller({ roles: ['editor'] })), true);
    assert.equal(r.test!(caller({ roles: ['reader'] })), false);
    assert.equal(r.test!(caller({ roles: [] })), false);
    const single = hasAnyRole(['admin']);
    assert.deepEqual([single.key, single.description], ['role:admin', 'role admin']);
  });

  test('hasScope: exactly that scope', () => {
    const r = hasScope('documents:write');
    assert.deepEqual([r.key, r.description], ['scope:documents:write', 'scope documents:write']);
    assert.equal(r.test!(caller({ scope: 'documents:read documents:write' })), true);
    assert.equal(r.test!(caller({ scope: 'documents:read' })), false);
    assert.equal(r.test!(caller({ scope: 'documents:write:all' })), false);
  });

  test('requiresScopes: outer list OR, inner list AND', () => {
    const r = requiresScopes([['a', 'b'], ['c']]);
    assert.deepEqual([r.key, r.description], ['scopes:[["a","b"],["c"]]', 'scopes a and b or c']);
    assert.equal(r.test!(caller({ scope: 'a b' })), true);
    assert.equal(r.test!(caller({ scope: 'c' })), true);
    assert.equal(r.test!(caller({ scope: 'a' })), false);
    assert.equal(r.test!(caller({ scope: 'b' })), false);
    assert.equal(r.test!(caller({ scope: '' })), false);
    assert.equal(requiresScopes([]).test!(caller({ scope: 'a' })), false, 'no alternative: nothing satisfies it');
  });

  test('hasClaim: strict equality or array membership, at a JSON Pointer', () => {
    const r = hasClaim(parseClaimPath('/org/level'), 3);
    assert.deepEqual([r.key, r.description], ['claim:["org","level"]=3', 'claim /org/level to be 3']);
    assert.equal(r.test!(caller({ org: { level: 3 } })), true);
    assert.equal(r.test!(caller({ org: { level: [1, 3] } })), true);
    for (const level of ['3', [['3']], ['3'], 4, null, { 0: 3 }]) assert.equal(r.test!(caller({ org: { level } })), false, JSON.stringify(level));
    assert.equal(r.test!(caller({ level: 3 })), false, 'not at the top level');
    const verified = hasClaim(['email_verified'], true);
    assert.equal(verified.description, 'claim email_verified to be true');
    assert.equal(verified.test!(caller({ email_verified: true })), true);
    assert.equal(verified.test!(caller({ email_verified: 'true' })), false);
    assert.notEqual(hasClaim(['a'], '1').key, hasClaim(['a'], 1).key);
  });
});

describe('compileGuard', () => {
  const guard = compileGuard([authenticated, hasRole('a'), hasScope('s')]);

  test('anonymous (null or undefined): UNAUTHENTICATED naming the first check', () => {
    assert.deepEqual(describeError(guard(null)), ['UNAUTHENTICATED', 'Unauthenticated: requires role a.']);
    assert.deepEqual(describeError(guard(undefined)), ['UNAUTHENTICATED', 'Unauthenticated: requires role a.']);
    assert.deepEqual(describeError(compileGuard([authenticated])(null)), ['UNAUTHENTICATED', 'Unauthenticated: requires authentication.']);
  });

  test('authenticated: FORBIDDEN naming the first requirement missed, in order; allowed when all hold', () => {
    assert.deepEqual(describeError(guard(caller())), ['FORBIDDEN', 'Forbidden: requires role a.']);
    assert.deepEqual(describeError(guard(caller({ roles: ['a'] }))), ['FORBIDDEN', 'Forbidden: requires scope s.']);
    assert.deepEqual(describeError(guard(caller({ scope: 's' }))), ['FORBIDDEN', 'Forbidden: requires role a.']);
    assert.equal(guard(caller({ roles: ['a'], scope: 's' })), undefined);
    assert.equal(compileGuard([authenticated])(caller()), undefined);
  });

  test('two different any-of-roles requirements (type and field) are both checked, never merged into one', () => {
    assert.notEqual(hasAnyRole(['a', 'b']).key, hasAnyRole(['a', 'c']).key);
    const both = compileGuard([hasAnyRole(['a', 'b']), hasAnyRole(['c', 'd'])]);
    assert.deepEqual(describeError(both(caller({ roles: ['a'] }))), ['FORBIDDEN', 'Forbidden: requires one of the roles c, d.']);
    assert.deepEqual(describeError(both(caller({ roles: ['d'] }))), ['FORBIDDEN', 'Forbidden: requires one of the roles a, b.']);
    assert.equal(both(caller({ roles: ['b', 'c'] })), undefined);
  });

  test('a requirement reached twice is checked once, and every distinct one is checked', () => {
    let calls = 0;
    const counted = { key: 'k', description: 'k', test: () => (calls++, true) };
    const twice = compileGuard([counted, counted, hasRole('b')]);
    assert.deepEqual(describeError(twice(caller())), ['FORBIDDEN', 'Forbidden: requires role b.']);
    assert.equal(calls, 1);
  });

  test('the denial errors are built once and name their requirement for audit lines', () => {
    assert.equal(guard(null), guard(null));
    assert.equal(guard(caller()), guard(caller()));
    assert.equal(deniedRequirement(guard(caller())!), 'role a');
    assert.equal(deniedRequirement(guard(null)!), 'role a');
    assert.equal(deniedRequirement(denialError('FORBIDDEN', 'scope x')), 'scope x');
    assert.equal(deniedRequirement(createGraphQLError('Forbidden: something else.')), 'unknown');
  });
});

describe('the auth runtime a request carries', () => {
  test('its context key is the registered symbol, so a second copy of claimgate finds it', () => {
    assert.equal(AUTH_RUNTIME, Symbol.for('claimgate.authRuntime'));
  });
  test('without one (no plugin, no context at all) the guards enforce', () => {
    for (const context of [undefined, null, {}, { [Symbol.for('other')]: {} }]) assert.equal(authRuntimeOf(context), ENFORCING_RUNTIME);
    assert.equal(ENFORCING_RUNTIME.audit, false);
    assert.doesNotThrow(() => ENFORCING_RUNTIME.policyFailed('p', 'T.f', 'threw', new Error('x')));
    const audit = { audit: true, wouldDeny() {}, policyFailed() {} };
    assert.equal(authRuntimeOf({ [AUTH_RUNTIME]: audit }), audit);
  });
});
