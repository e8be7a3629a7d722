// How requirements combine, and that wrapping keeps resolver behaviour; run
// through graphql-js directly against schemas built with the public API.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execute, parse, subscribe, type ExecutionResult } from 'graphql';
import { apolloAuthorizationTypeDefs } from '../../src/directives/type-defs.ts';
import { createPrincipal, type Principal } from '../../src/principal/principal.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import { parseClaimPath } from '../../src/principal/claim-path.ts';

function principal(claims: Record<string, unknown>): Principal {
  return createPrincipal({ sub: 'alice', exp: 9_999_999_999, ...claims }, { issuer: 'https://issuer.test', rolesClaim: parseClaimPath('roles') });
}

function run(schema: ReturnType<typeof makeAuthSchema>, query: string, who: Principal | null) {
  const result = execute({ schema, document: parse(query), contextValue: { principal: who } }) as ExecutionResult;
  assert.ok(!(result instanceof Promise), 'a synchronous schema stays synchronous');
  return { data: JSON.parse(JSON.stringify(result.data ?? null)) as unknown, errors: (result.errors ?? []).map((error) => [error.path?.join('.'), error.extensions.code, error.message]) };
}

describe('requirements combine', () => {
  const schema = makeAuthSchema({
    typeDefs: `
      type Query {
        allOf: String @hasRole(role: "a") @hasRole(role: "b")
        anyOf: String @hasAnyRole(roles: ["a", "b"])
        scoped: String @hasScope(scope: "read") @hasScope(scope: "write")
        pointer: String @hasClaim(claim: "/org/department", value: "engineering")
        group: String @hasClaim(claim: "groups", value: "ops")
        level: String @hasClaim(claim: "level", value: 3)
        restricted: Restricted
      }
      type Restricted @hasRole(role: "a") { both: String @hasRole(role: "b") one: String }
      extend type Restricted { added: String }
    `,
    resolvers: {
      Query: {
        allOf: () => 'ok',
        anyOf: () => 'ok',
        scoped: () => 'ok',
        pointer: () => 'ok',
        group: () => 'ok',
        level: () => 'ok',
        restricted: () => ({ both: 'ok', one: 'ok', added: 'ok' }),
      },
    },
  });

  test('repeated @hasRole means all of them; @hasAnyRole means any', () => {
    const query = '{ allOf anyOf }';
    assert.deepEqual(run(schema, query, principal({ roles: ['a'] })), {
      data: { allOf: null, anyOf: 'ok' },
      errors: [['allOf', 'FORBIDDEN', 'Forbidden: requires role b.']],
    });
    assert.deepEqual(run(schema, query, principal({ roles: ['b'] })), {
      data: { allOf: null, anyOf: 'ok' },
      errors: [['allOf', 'FORBIDDEN', 'Forbidden: requires role a.']],
    });
    assert.deepEqual(run(schema, query, principal({ roles: ['a', 'b'] })), { data: { allOf: 'ok', anyOf: 'ok' }, errors: [] });
    assert.deepEqual(run(schema, query, principal({ roles: ['c'] })), {
      data: { allOf: null, anyOf: null },
      errors: [['allOf', 'FORBIDDEN', 'Forbidden: requires role a.'], ['anyOf', 'FORBIDDEN', 'Forbidden: requires one of the roles a, b.']],
    });
    assert.deepEqual(run(schema, query, null), {
      data: { allOf: null, anyOf: null },
      errors: [['allOf', 'UNAUTHENTICATED', 'Unauthenticated: requires role a.'], ['anyOf', 'UNAUTHENTICATED', 'Unauthenticated: requires one of the roles a, b.']],
    });
  });

  test('scopes come from scope (space-separated) and scp (array or string)', () => {
    for (const [claims, allowed] of [
      [{ scope: 'read write' }, true],
      [{ scp: ['read', 'write'] }, true],
      [{ scope: 'read', scp: 'write' }, true],
      [{ scope: 'read' }, false],
      [{ scope: 'readwrite' }, false],
      [{ scope: ['read', 'write'] }, false],
    ] as const) {
      assert.deepEqual(run(schema, '{ scoped }', principal(claims)).data, { scoped: allowed ? 'ok' : null }, JSON.stringify(claims));
    }
  });

  test('@hasClaim: JSON Pointer, array membership, strict equality', () => {
    const query = '{ pointer group level }';
    assert.deepEqual(run(schema, query, principal({ org: { department: 'engineering' }, groups: ['dev', 'ops'], level: 3 })).data, {
      pointer: 'ok',
      group: 'ok',
      level: 'ok',
    });
    assert.deepEqual(run(schema, query, principal({ org: { department: 'Engineering' }, groups: 'devops', level: '3' })).data, {
      pointer: null,
      group: null,
      level: null,
    });
    assert.deepEqual(run(schema, query, principal({ 'org/department': 'engineering', groups: ['ops-team'] })).data, {
      pointer: null,
      group: null,
      level: null,
    });
  });

  test('type and field requirements combine with AND; type-level reaches fields added by extend type', () => {
    const query = '{ restricted { both one added __typename } }';
    assert.deepEqual(run(schema, query, principal({ roles: ['a'] })), {
      data: { restricted: { both: null, one: 'ok', added: 'ok', __typename: 'Restricted' } },
      errors: [['restricted.both', 'FORBIDDEN', 'Forbidden: requires role b.']],
    });
    // A caller who may not see the type gets null where it is returned, __typename included.
    assert.deepEqual(run(schema, query, principal({ roles: ['b'] })).data, { restricted: null });
    assert.deepEqual(run(schema, query, principal({ roles: ['a', 'b'] })).errors, []);
  });
});

describe('interfaces', () => {
  const schema = makeAuthSchema({
    typeDefs: `
      interface Account @auth { id: ID! secret: String @hasRole(role: "admin") }
      type Person implements Account { id: ID! secret: String name: String }
      type Robot implements Account { id: ID! secret: String model: String }
      union Anything = Person | Robot
      type Query { accounts: [Account!]! anything: [Anything!]! }
    `,
    resolvers: {
      Query: {
        accounts: () => [{ kind: 'Person', id: '1', secret: 's1', name: 'Ada' }, { kind: 'Robot', id: '2', secret: 's2', model: 'R2' }],
        anything: () => [{ kind: 'Robot', id: '2', secret: 's2', model: 'R2' }],
      },
      Account: { __resolveType: (value: { kind: string }) => value.kind },
      Anything: { __resolveType: (value: { kind: string }) => value.kind },
    },
  });

  test('an interface directive reaches every field of every implementation; an interface field directive reaches that field', () => {
    const query = '{ accounts { id secret ... on Person { name } ... on Robot { model } } anything { ... on Robot { model secret } } }';
    assert.deepEqual(run(schema, query, principal({ roles: ['user'] })), {
      data: {
        accounts: [
          { id: '1', secret: null, name: 'Ada' },
          { id: '2', secret: null, model: 'R2' },
        ],
        anything: [{ model: 'R2', secret: null }],
      },
      errors: [
        ['accounts.0.secret', 'FORBIDDEN', 'Forbidden: requires role admin.'],
        ['accounts.1.secret', 'FORBIDDEN', 'Forbidden: requires role admin.'],
        ['anything.0.secret', 'FORBIDDEN', 'Forbidden: requires role admin.'],
      ],
    });
    const anonymous = run(schema, '{ anything { ... on Robot { model id } } }', null);
    assert.deepEqual(anonymous, {
      data: null,
      // The union's concrete type is checked once resolved: the item is denied as a whole.
      errors: [['anything.0', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.']],
    });
  });

  test('__resolveType keeps working', () => {
    assert.deepEqual(run(schema, '{ accounts { __typename } }', principal({ roles: ['user'] })).data, { accounts: [{ __typename: 'Person' }, { __typename: 'Robot' }] });
    assert.deepEqual(run(schema, '{ accounts { __typename } }', null), {
      data: null,
      errors: [['accounts', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.']],
    });
  });
});

describe('Apollo @requiresScopes and @authenticated', () => {
  const schema = makeAuthSchema({
    typeDefs: [
      apolloAuthorizationTypeDefs,
      `
      type Query {
        either: String @requiresScopes(scopes: [["a", "b"], ["c"]])
        status: Status
        stamp: Stamp
        vault: Vault
      }
      enum Status @authenticated { ON OFF }
      scalar Stamp @requiresScopes(scopes: [["time"]])
      type Vault @authenticated { gold: Int }
    `,
    ],
    resolvers: { Query: { either: () => 'ok', status: () => 'ON', stamp: () => 'now', vault: () => ({ gold: 1 }) } },
  });

  test('truth table: outer list OR, inner list AND', () => {
    const table: [string[], boolean][] = [
      [[], false],
      [['a'], false],
      [['b'], false],
      [['a', 'b'], true],
      [['c'], true],
      [['a', 'c'], true],
      [['b', 'c'], true],
      [['a', 'b', 'c'], true],
      [['A', 'B'], false],
      [['ab'], false],
    ];
    for (const [scopes, allowed] of table) {
      const result = run(schema, '{ either }', principal({ scope: scopes.join(' ') }));
      assert.deepEqual(
        result,
        allowed ? { data: { either: 'ok' }, errors: [] } : { data: { either: null }, errors: [['either', 'FORBIDDEN', 'Forbidden: requires scopes a and b or c.']] },
        scopes.join(' '),
      );
    }
  });

  test('on an enum, a scalar or an object type they also guard the fields that return it (Apollo semantics)', () => {
    assert.deepEqual(run(schema, '{ status stamp vault { gold } }', null), {
      data: { status: null, stamp: null, vault: null },
      errors: [
        ['status', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.'],
        ['stamp', 'UNAUTHENTICATED', 'Unauthenticated: requires scopes time.'],
        ['vault', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.'],
      ],
    });
    assert.deepEqual(run(schema, '{ status stamp vault { gold } }', principal({ scope: 'time' })), {
      data: { status: 'ON', stamp: 'now', vault: { gold: 1 } },
      errors: [],
    });
  });
});

describe('wrapped resolvers keep their behaviour', () => {
  let calls = 0;
  const schema = makeAuthSchema({
    typeDefs: `
      type Query { sync: Item @auth asyncField: String @auth plain: Item }
      type Item { name: String @hasRole(role: "a") computed: String @auth }
      type Subscription { ticks: Int @hasRole(role: "a") }
    `,
    resolvers: {
      Query: { sync: () => ({ name: 'from source' }), asyncField: async () => 'later', plain: () => ({ name: 'n' }) },
      Item: { computed: (item: { name: string }) => `${item.name}!` },
      Subscription: {
        ticks: {
          subscribe: async function* () {
            calls++;
            yield { ticks: 1 };
            yield { ticks: 2 };
          },
        },
      },
    },
  });

  test('default resolvers read the source; sync stays sync', () => {
    assert.deepEqual(run(schema, '{ sync { name computed } }', principal({ roles: ['a'] })), {
      data: { sync: { name: 'from source', computed: 'from source!' } },
      errors: [],
    });
  });

  test('async resolvers still resolve', async () => {
    const result = await execute({ schema, document: parse('{ asyncField }'), contextValue: { principal: principal({}) } });
    assert.deepEqual(JSON.parse(JSON.stringify(result)), { data: { asyncField: 'later' } });
  });

  test('a missing or non-claimgate context is anonymous', () => {
    const result = execute({ schema, document: parse('{ plain { name } }'), contextValue: {} }) as ExecutionResult;
    assert.equal(result.errors?.[0]?.extensions.code, 'UNAUTHENTICATED');
  });

  test('subscriptions: subscribe is guarded before the source starts, and each event is resolved', async () => {
    const denied = await subscribe({ schema, document: parse('subscription { ticks }'), contextValue: { principal: principal({ roles: ['b'] }) } });
    assert.deepEqual(JSON.parse(JSON.stringify(denied)), {
      errors: [{ message: 'Forbidden: requires role a.', locations: [{ line: 1, column: 16 }], path: ['ticks'], extensions: { code: 'FORBIDDEN' } }],
    });
    assert.equal(calls, 0, 'the source stream never started');
    const stream = (await subscribe({ schema, document: parse('subscription { ticks }'), contextValue: { principal: principal({ roles: ['a'] }) } })) as AsyncIterable<ExecutionResult>;
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    assert.deepEqual(JSON.parse(JSON.stringify(events)), [{ data: { ticks: 1 } }, { data: { ticks: 2 } }]);
  });
});

describe('default-deny (protect-all)', () => {
  const schema = makeAuthSchema({
    mode: 'protect-all',
    typeDefs: `
      type Query { open: String @public closed: String openType: Open @public closedViaType: Open2 }
      type Open @public { a: String b: String @hasRole(role: "x") }
      type Open2 { a: String @public b: String }
    `,
    resolvers: { Query: { open: () => 'o', closed: () => 'c', openType: () => ({ a: 'a', b: 'b' }), closedViaType: () => ({ a: 'a', b: 'b' }) } },
  });

  test('every field requires authentication unless it or its type is @public', () => {
    assert.deepEqual(run(schema, '{ open closed openType { a b } __typename }', null), {
      data: { open: 'o', closed: null, openType: { a: 'a', b: null }, __typename: 'Query' },
      errors: [
        ['closed', 'UNAUTHENTICATED', 'Unauthenticated: requires authentication.'],
        ['openType.b', 'UNAUTHENTICATED', 'Unauthenticated: requires role x.'],
      ],
    });
    assert.deepEqual(run(schema, '{ closed closedViaType { a b } }', principal({})).errors, []);
  });

  test('introspection stays available', () => {
    assert.deepEqual(run(schema, '{ __schema { queryType { name } } __type(name: "Open") { name } }', null), {
      data: { __schema: { queryType: { name: 'Query' } }, __type: { name: 'Open' } },
      errors: [],
    });
  });
});
