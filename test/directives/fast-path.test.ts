// The per-operation decision: it switches to the unguarded schema only when
// every guard the operation could reach lets the caller through.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type GraphQLSchema } from 'graphql';
import { createPrincipal, type Principal } from '../../src/principal/principal.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import { apolloAuthorizationTypeDefs } from '../../src/directives/type-defs.ts';
import { useAuthFastPath } from '../../src/directives/use-auth-fast-path.ts';
import { getAuthPlan } from '../../src/directives/auth-plan.ts';
import { parseClaimPath } from '../../src/principal/claim-path.ts';

const schema = makeAuthSchema({
  typeDefs: `
    interface Node { id: ID! }
    type Open implements Node { id: ID! }
    type Closed implements Node @hasRole(role: "editor") { id: ID! secret: String @hasRole(role: "admin") }
    union Any = Open | Closed
    type Query { node: Node any: [Any] open: Open closed: Closed @auth list: [Closed] }
    type Mutation { change: String @hasRole(role: "admin") }
    type Subscription { ticks: Int }
  `,
});

const who = (roles: string[]): Principal => createPrincipal({ sub: 'a', exp: 9_999_999_999, roles }, { issuer: 'i', rolesClaim: parseClaimPath('roles') });

interface ExecuteArgs {
  schema: GraphQLSchema;
  readonly document: ReturnType<typeof parse>;
  readonly contextValue: unknown;
  readonly operationName?: string | undefined;
}

/** Runs a fresh plugin's onExecute hook on `args`; returns the schema it leaves there. */
function execute(args: ExecuteArgs): GraphQLSchema {
  (useAuthFastPath().onExecute as unknown as (hook: { args: ExecuteArgs }) => void)({ args });
  return args.schema;
}

/** Which schema the plugin picks for this operation and caller. */
function pick(query: string, principal: Principal | null, operationName?: string): 'unguarded' | 'guarded' {
  const chosen = execute({ schema, document: parse(query), contextValue: { principal }, operationName });
  return chosen === getAuthPlan(schema)!.unguarded ? 'unguarded' : chosen === schema ? 'guarded' : assert.fail('unknown schema');
}

describe('useAuthFastPath', () => {
  test('an operation with no guarded field runs unguarded for anyone', () => {
    assert.equal(pick('{ open { id } }', null), 'unguarded');
  });

  test('one reachable guard the caller fails keeps the guards', () => {
    assert.equal(pick('{ open { id } closed { id } }', who(['editor'])), 'unguarded');
    assert.equal(pick('{ open { id } closed { id } }', null), 'guarded');
    assert.equal(pick('{ closed { id secret } }', who(['editor'])), 'guarded');
    assert.equal(pick('{ closed { id secret } }', who(['editor', 'admin'])), 'unguarded');
  });

  test('abstract types count every possible type; fragments and aliases are followed', () => {
    assert.equal(pick('{ node { id } }', who([])), 'guarded', 'node could be a Closed');
    assert.equal(pick('{ node { id } }', who(['editor'])), 'unguarded');
    assert.equal(pick('{ any { ... on Closed { secret } } }', who(['editor'])), 'guarded');
    assert.equal(pick('{ x: list { ...F } } fragment F on Closed { s: secret }', who(['editor'])), 'guarded');
    assert.equal(pick('{ x: list { ...F } } fragment F on Closed { s: secret }', who(['editor', 'admin'])), 'unguarded');
  });

  test('a field returning an abstract type reaches the type guard of every possible type, even with only __typename selected', () => {
    assert.equal(pick('{ node { __typename } }', who([])), 'guarded', 'node could be a Closed');
    assert.equal(pick('{ any { __typename } }', who([])), 'guarded', 'any could be a Closed');
    assert.equal(pick('{ node { __typename } }', who(['editor'])), 'unguarded');
  });

  test('inline fragments without a type condition, and every distinct fragment, are followed', () => {
    assert.equal(pick('{ closed { ... { secret } } }', who(['editor'])), 'guarded');
    assert.equal(pick('{ closed { ... { id } } }', who(['editor'])), 'unguarded');
    const two = '{ open { ...A } closed { ...B } } fragment A on Open { id } fragment B on Closed { secret }';
    assert.equal(pick(two, who(['editor'])), 'guarded', 'the second fragment is read too');
    assert.equal(pick(two, who(['editor', 'admin'])), 'unguarded');
    const sameNameTwoParents = '{ node { ...F } closed { ...F } } fragment F on Node { id ... on Closed { secret } }';
    assert.equal(pick(sameNameTwoParents, who(['editor'])), 'guarded');
  });

  test('no context or no principal is anonymous; a schema without claimgate\'s plan is left alone', () => {
    assert.equal(execute({ schema, document: parse('{ closed { id } }'), contextValue: undefined }), schema);
    assert.equal(execute({ schema, document: parse('{ open { id } }'), contextValue: {} }), getAuthPlan(schema)!.unguarded);
    const plain = makeAuthSchema({ typeDefs: 'type Query { a: String @public }' });
    const unplanned = getAuthPlan(plain)!.unguarded;
    assert.equal(execute({ schema: unplanned, document: parse('{ a }'), contextValue: {} }), unplanned);
  });

  test('@skip does not hide a guard', () => {
    assert.equal(pick('{ open { id } closed @skip(if: true) { id } }', null), 'guarded');
  });

  test('the chosen operation of a document decides', () => {
    const document = 'query A { open { id } } mutation B { change }';
    assert.equal(pick(document, null, 'A'), 'unguarded');
    assert.equal(pick(document, null, 'B'), 'guarded');
    assert.equal(pick(document, who(['admin']), 'B'), 'unguarded');
  });

  test('subscriptions always keep their guards', () => {
    assert.equal(pick('subscription { ticks }', who(['admin'])), 'guarded');
  });

  test('federation _entities always keeps its guards', () => {
    const subgraphLike = makeAuthSchema({ typeDefs: 'scalar _Any type Query { _entities(representations: [_Any!]!): [String] }' });
    assert.equal(execute({ schema: subgraphLike, document: parse('{ _entities(representations: []) }'), contextValue: { principal: who(['admin']) } }), subgraphLike);
  });
});

describe('useAuthFastPath: a policy can only be decided with the data, so it keeps the guards', () => {
  const withPolicies = makeAuthSchema({
    typeDefs: `${apolloAuthorizationTypeDefs}
      type Doc @policy(policies: [["p"]]) { id: ID! }
      type Note { id: ID! }
      union Item = Doc | Note
      type Query { doc: Doc docs: [Doc] item: Item items: [Item] note: Note mine: String @policy(policies: [["p"]]) }`,
    policies: { p: () => true },
  });
  const chosen = (query: string) =>
    execute({ schema: withPolicies, document: parse(query), contextValue: { principal: who(['admin']) } }) === withPolicies ? 'guarded' : 'unguarded';

  test('a field returning a policy type, directly, in a list, or through a union that may hold one', () => {
    const queries = ['{ doc { id } }', '{ doc { __typename } }', '{ docs { __typename } }', '{ item { __typename } }', '{ items { ... on Note { id } } }', '{ mine }'];
    assert.deepEqual(queries.map(chosen), queries.map(() => 'guarded'));
  });

  test('an operation that reaches no policy still runs unguarded', () => {
    assert.equal(chosen('{ note { id } }'), 'unguarded');
  });
});
