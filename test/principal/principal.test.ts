// What a verified token grants is read here: roles, scopes and claim paths.
// A wrong split, a fallback to another claim or a claim read through the
// prototype would widen what a caller may do, so each rule is pinned.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrincipal } from '../../src/principal/principal.ts';
import { formatClaimPath, parseClaimPath, readClaim } from '../../src/principal/claim-path.ts';

const ROLES = ['roles'];
const base = { iss: 'https://id.example', sub: 'alice', exp: 2_000_000_000 };

function principal(claims: Record<string, unknown>, options: { rolesClaim?: readonly string[]; scopesClaim?: readonly string[] } = {}) {
  return createPrincipal({ ...base, ...claims }, { issuer: 'https://configured.example', rolesClaim: options.rolesClaim ?? ROLES, scopesClaim: options.scopesClaim });
}

describe('roles: read from the configured claim only, never split or widened', () => {
  test('a roles string with a space is one role, not two (no "reader admin" → admin)', () => {
    assert.deepEqual(principal({ roles: 'reader admin' }).roles, ['reader admin']);
  });
  test('a roles string is one role; an empty string is none', () => {
    assert.deepEqual(principal({ roles: 'admin' }).roles, ['admin']);
    assert.deepEqual(principal({ roles: '' }).roles, []);
  });
  test('an array of strings is taken as is; one non-string item voids the whole claim', () => {
    assert.deepEqual(principal({ roles: ['reader', 'editor'] }).roles, ['reader', 'editor']);
    assert.deepEqual(principal({ roles: ['admin', 1] }).roles, []);
    assert.deepEqual(principal({ roles: ['admin', null] }).roles, []);
  });
  test('any other shape gives no roles', () => {
    for (const roles of [1, true, null, { admin: true }, { 0: 'admin', length: 1 }]) {
      assert.deepEqual(principal({ roles }).roles, [], JSON.stringify(roles));
    }
  });
  test('no fallback: roles under another claim name are ignored', () => {
    assert.deepEqual(principal({ role: 'admin', groups: ['admin'], scope: 'admin' }).roles, []);
  });
  test('a JSON Pointer roles claim reads the nested value', () => {
    const p = principal({ realm_access: { roles: ['admin'] }, roles: ['reader'] }, { rolesClaim: parseClaimPath('/realm_access/roles') });
    assert.deepEqual(p.roles, ['admin']);
  });
  test('the roles list is frozen and a copy of the claim', () => {
    const claim = ['reader'];
    const p = principal({ roles: claim });
    assert.ok(Object.isFrozen(p.roles));
    assert.throws(() => (p.roles as string[]).push('admin'), TypeError);
    assert.notEqual(p.roles, claim);
  });
});

describe('scopes', () => {
  test('`scope` is space-separated; empty items are dropped', () => {
    assert.deepEqual(principal({ scope: ' read  write ' }).scopes, ['read', 'write']);
  });
  test('`scope` that is not a string is ignored', () => {
    assert.deepEqual(principal({ scope: ['admin'] }).scopes, []);
    assert.deepEqual(principal({ scope: 7 }).scopes, []);
  });
  test('`scp` is an array (non-strings and empty strings dropped) or a space-separated string', () => {
    assert.deepEqual(principal({ scp: ['a', 1, '', 'b', null] }).scopes, ['a', 'b']);
    assert.deepEqual(principal({ scp: 'a b' }).scopes, ['a', 'b']);
    assert.deepEqual(principal({ scp: { 0: 'a' } }).scopes, []);
  });
  test('`scope` and `scp` are merged without duplicates, `scope` first', () => {
    assert.deepEqual(principal({ scope: 'read write', scp: ['write', 'admin'] }).scopes, ['read', 'write', 'admin']);
  });
  test('a configured scopes claim is the only source (`scope` and `scp` ignored)', () => {
    const p = principal({ scope: 'admin', scp: ['admin'], permissions: ['read', 'read', 'write'] }, { scopesClaim: ['permissions'] });
    assert.deepEqual(p.scopes, ['read', 'write']);
    assert.deepEqual(principal({ scope: 'admin' }, { scopesClaim: ['permissions'] }).scopes, []);
    assert.deepEqual(principal({ permissions: 'a b a' }, { scopesClaim: ['permissions'] }).scopes, ['a', 'b']);
  });
  test('the scopes list is frozen', () => {
    assert.ok(Object.isFrozen(principal({ scope: 'a' }).scopes));
  });
});

describe('the principal', () => {
  test('subject, issuer, expiry and claims come from the verified payload and the configured issuer', () => {
    const p = principal({ iss: 'https://token.example' });
    assert.equal(p.subject, 'alice');
    assert.equal(p.issuer, 'https://configured.example');
    assert.equal(p.expiresAt, 2_000_000_000);
    assert.equal(p.claims.iss, 'https://token.example');
  });
  test('a subject that is not a string is empty', () => {
    assert.equal(principal({ sub: 42 }).subject, '');
    assert.equal(principal({ sub: undefined }).subject, '');
  });
  test('the principal and every nested claim are frozen: a resolver cannot grant itself a role', () => {
    const p = principal({ roles: ['reader'], realm_access: { roles: ['reader'], nested: { deep: [1] } } });
    assert.ok(Object.isFrozen(p));
    assert.ok(Object.isFrozen(p.claims));
    const realm = p.claims.realm_access as { roles: string[]; nested: { deep: number[] } };
    assert.ok(Object.isFrozen(realm));
    assert.ok(Object.isFrozen(realm.roles));
    assert.ok(Object.isFrozen(realm.nested.deep));
    assert.throws(() => realm.roles.push('admin'), TypeError);
    assert.throws(() => ((p as unknown as { roles: string[] }).roles = ["admin"]), TypeError);
  });
  test('a payload frozen at the top still has its nested claims frozen; null claims and cycles are fine', () => {
    const nested = { roles: ['reader'] };
    const p = createPrincipal(Object.freeze({ ...base, realm_access: nested, nothing: null }), { issuer: 'i', rolesClaim: ROLES });
    assert.ok(Object.isFrozen(nested));
    assert.ok(Object.isFrozen(nested.roles));
    assert.equal(p.claims.nothing, null);
    const cyclic: Record<string, unknown> = { ...base };
    cyclic.self = cyclic;
    assert.ok(Object.isFrozen(createPrincipal(cyclic, { issuer: 'i', rolesClaim: ROLES }).claims.self));
  });
});

describe('claim paths', () => {
  test('a name without a leading slash is one claim, slashes and all', () => {
    assert.deepEqual(parseClaimPath('roles'), ['roles']);
    assert.deepEqual(parseClaimPath('https://example.com/roles'), ['https://example.com/roles']);
  });
  test('a JSON Pointer is split and unescaped, ~1 before ~0 (RFC 6901)', () => {
    assert.deepEqual(parseClaimPath('/realm_access/roles'), ['realm_access', 'roles']);
    assert.deepEqual(parseClaimPath('/a~1b/c~0d'), ['a/b', 'c~d']);
    assert.deepEqual(parseClaimPath('/~01'), ['~1']);
    assert.deepEqual(parseClaimPath('/'), ['']);
  });
  test('an empty address or a bad escape is refused with a message naming it', () => {
    assert.throws(() => parseClaimPath(''), { name: 'TypeError', message: 'a claim address must not be empty' });
    for (const bad of ['/a~2', '/a~', '/~x/b', '/ok/~']) {
      assert.throws(() => parseClaimPath(bad), { name: 'TypeError', message: `"${bad}" is not a valid JSON Pointer: "~" must be followed by 0 or 1` });
    }
  });
  test('readClaim follows own properties only: never the prototype', () => {
    const claims = { a: { b: ['x', 'y'] }, n: null, s: 'text' };
    assert.deepEqual(readClaim(claims, ['a', 'b']), ['x', 'y']);
    assert.equal(readClaim(claims, ['a', 'b', '1']), 'y');
    assert.equal(readClaim(claims, ['a', 'missing']), undefined);
    assert.equal(readClaim(claims, ['n', 'x']), undefined);
    assert.equal(readClaim(claims, ['s', 'length']), undefined);
    assert.equal(readClaim(claims, ['toString']), undefined);
    assert.equal(readClaim(claims, ['a', 'constructor']), undefined);
    assert.equal(readClaim(claims, ['__proto__']), undefined);
    assert.equal(readClaim(claims, []), claims);
  });
  test('formatClaimPath writes a single name as is and a nested path as an escaped pointer', () => {
    assert.equal(formatClaimPath(['https://example.com/roles']), 'https://example.com/roles');
    assert.equal(formatClaimPath(['realm_access', 'roles']), '/realm_access/roles');
    assert.equal(formatClaimPath(['a/b', 'c~d']), '/a~1b/c~0d');
    assert.deepEqual(parseClaimPath(formatClaimPath(['~1', 'x/y'])), ['~1', 'x/y']);
  });
});
