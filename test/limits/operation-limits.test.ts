// The operation limits over real HTTP, against the example API as `npm start`
// serves it: for each limit the largest allowed and the smallest refused
// operation, anonymous and with a token; refusals carry their code and run nothing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS, makeAuthSchema } from '../../src/index.ts';
import { errorCodes, graphql, startTestApi, withIssuerAndApi, type GraphQLResponse } from '../support/test-api.ts';

const running = withIssuerAndApi();
const L = DEFAULTS.limits;

async function both(query: string, variables?: Record<string, unknown>): Promise<[GraphQLResponse, GraphQLResponse]> {
  const token = await running.issuer.mint({ roles: ['admin', 'editor'] });
  return Promise.all([
    graphql(running.api.graphqlUrl, { query, ...(variables ? { variables } : {}) }),
    graphql(running.api.graphqlUrl, { query, token, ...(variables ? { variables } : {}) }),
  ]);
}

function assertRefused(response: GraphQLResponse, code: string, limit: string) {
  assert.equal(response.status, 400, JSON.stringify(response.body));
  assert.equal(response.headers.get('content-type')?.split(';')[0], 'application/graphql-response+json');
  assert.equal(response.body.data, undefined, 'nothing executed');
  assert.equal(response.body.errors?.length, 1);
  const [error] = response.body.errors!;
  assert.equal(error!.extensions?.code, code);
  assert.equal(error!.extensions?.limit, limit);
  assert.match(error!.message, new RegExp(`${(L as Record<string, unknown>)[limit]}`), 'the message names the value of the limit');
}

function assertAllowed(response: GraphQLResponse) {
  assert.equal(response.status, 200, JSON.stringify(response.body).slice(0, 300));
  for (const code of errorCodes(response)) assert.ok(code === 'UNAUTHENTICATED' || code === 'FORBIDDEN', `only auth denials, got ${String(code)}`);
}

const aliases = (n: number, field = 'publicInfo') => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
describe('operation limits, before execution', () => {
  test(`aliases: ${L.maxAliases} pass, ${L.maxAliases + 1} are refused with OPERATION_TOO_MANY_ALIASES`, async () => {
    for (const response of await both(aliases(L.maxAliases))) assertAllowed(response);
    for (const response of await both(aliases(L.maxAliases + 1))) assertRefused(response, 'OPERATION_TOO_MANY_ALIASES', 'maxAliases');
  });

  test(`depth: ${L.maxDepth} levels pass, ${L.maxDepth + 1} are refused with OPERATION_TOO_DEEP (2,000 levels too, never a 500)`, async () => {
    // A recursive schema, so that any depth is a valid selection.
    const issuer = running.issuer;
    const api = await startTestApi(issuer.env(), {
      schema: makeAuthSchema({
        typeDefs: 'type Query { tree: Tree @public } type Tree { id: ID! child: Tree secret: String @auth }',
        resolvers: { Query: { tree: () => ({}) }, Tree: { id: () => 't', child: () => ({}), secret: () => 's' } },
      }),
    });
    try {
      // `tree { id }` is depth 2; each `child { ... }` adds one.
      const deep = (depth: number) => `{ tree { ${'child { '.repeat(depth - 2)}id secret${' }'.repeat(depth - 2)} } }`;
      const token = await issuer.mint();
      for (const t of [undefined, token]) {
        assertAllowed(await graphql(api.graphqlUrl, { query: deep(L.maxDepth), ...(t ? { token: t } : {}) }));
        assertRefused(await graphql(api.graphqlUrl, { query: deep(L.maxDepth + 1), ...(t ? { token: t } : {}) }), 'OPERATION_TOO_DEEP', 'maxDepth');
      }
      // 2,000 levels would overflow the stack in execution: the token limit stops it while parsing.
      const huge = await graphql(api.graphqlUrl, { query: deep(2000) });
      assertRefused(huge, 'OPERATION_TOO_LARGE', 'maxTokens');
      // Within the token limit, the deepest nesting is refused by depth: fragments do not hide depth.
      const viaFragments = await graphql(api.graphqlUrl, {
        query: `{ tree { ...A } } fragment A on Tree { child { ...B } } fragment B on Tree { child { ${'child { '.repeat(L.maxDepth)}id${' }'.repeat(L.maxDepth)} } }`,
      });
      assertRefused(viaFragments, 'OPERATION_TOO_DEEP', 'maxDepth');
      assert.equal((await fetch(`${api.origin}/healthz`)).status, 200);
    } finally {
      await api.close();
    }
  });

  test(`directives: ${L.maxDirectives} pass, ${L.maxDirectives + 1} are refused with OPERATION_TOO_MANY_DIRECTIVES`, async () => {
    // One directive per selection: a directive may stand only once at one place.
    const directives = (n: number) => `{ ${'publicInfo @include(if: true) '.repeat(n)} }`;
    for (const response of await both(directives(L.maxDirectives))) assertAllowed(response);
    for (const response of await both(directives(L.maxDirectives + 1))) assertRefused(response, 'OPERATION_TOO_MANY_DIRECTIVES', 'maxDirectives');
  });

  test(`tokens: a document of ${L.maxTokens} tokens passes, one more is refused with OPERATION_TOO_LARGE; 27,000 aliases are refused just as cheaply`, async () => {
    // 12 tokens of frame, 8 per representation, the rest padded with (merging) publicInfo selections.
    const tokens = (n: number) => {
      const entries = Math.floor((n - 12) / 8);
      const padding = n - 12 - 8 * entries;
      return `{ ${'publicInfo '.repeat(padding)}_entities(representations: [${'{ __typename: "User", id: "u1" } '.repeat(entries)}]) { __typename } }`;
    };
    for (const response of await both(tokens(L.maxTokens))) assertAllowed(response);
    for (const response of await both(tokens(L.maxTokens + 1))) assertRefused(response, 'OPERATION_TOO_LARGE', 'maxTokens');
    const flood = await graphql(running.api.graphqlUrl, { query: aliases(27_000) });
    assertRefused(flood, 'OPERATION_TOO_LARGE', 'maxTokens');
  });

  test(`cost: documents(limit: n) { id title } costs 1 + 2n: the largest allowed n passes, one more is refused with OPERATION_TOO_COMPLEX`, async () => {
    const largest = Math.floor((L.maxCost - 1) / 3); // 1 + n × (1 + 2)
    const list = (n: number) => `{ documents(limit: ${n}) { id title } }`;
    const [anonymous, editor] = await both(list(largest));
    assert.equal(anonymous.status, 200);
    assert.equal((editor.body.data!.documents as unknown[]).length, Math.min(largest, 5000));
    for (const response of await both(list(largest + 1))) assertRefused(response, 'OPERATION_TOO_COMPLEX', 'maxCost');
  });

  test('cost reads list sizes from variables, and from the operation\'s variable defaults', async () => {
    const query = 'query ($n: Int!) { documents(limit: $n) { id title } }';
    for (const response of await both(query, { n: 10 })) assertAllowed(response);
    for (const response of await both(query, { n: 1_000_000_000 })) assertRefused(response, 'OPERATION_TOO_COMPLEX', 'maxCost');
    for (const response of await both('query ($n: Int = 1000000) { documents(limit: $n) { id } }')) assertRefused(response, 'OPERATION_TOO_COMPLEX', 'maxCost');
  });

  test('a refused mutation never runs', async () => {
    const token = await running.issuer.mint({ roles: ['editor'] });
    const refused = await graphql(running.api.graphqlUrl, {
      query: `mutation { renameDocument(id: "d2", title: "renamed") { id } ${Array.from({ length: L.maxAliases + 1 }, (_, i) => `a${i}: renameDocument(id: "d2", title: "x") { id }`).join(' ')} }`,
      token,
    });
    assertRefused(refused, 'OPERATION_TOO_MANY_ALIASES', 'maxAliases');
    const after = await graphql(running.api.graphqlUrl, { query: '{ node(id: "d2") { ... on Document { title } } }', token });
    assert.deepEqual(after.body.data, { node: { title: 'Salary bands' } });
  });
});


describe('bounds that hold while an allowed operation runs, and amplification shapes', () => {
  test('maxListItems: a resolver returning more than the budget ends with RESULT_TOO_LARGE at that list, never a crash', async () => {
    const api = await startTestApi({ ...running.issuer.env(), LIMIT_MAX_LIST_ITEMS: '10' });
    try {
      const token = await running.issuer.mint({ roles: ['editor'] });
      const fits = await graphql(api.graphqlUrl, { query: '{ documents(limit: 10) { id } }', token });
      assert.equal((fits.body.data!.documents as unknown[]).length, 10);
      const over = await graphql(api.graphqlUrl, { query: '{ documents(limit: 11) { id } }', token });
      assert.equal(over.status, 200);
      assert.deepEqual(over.body.data, null, 'documents is non-null: the error propagates as GraphQL does');
      assert.deepEqual(over.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code, error.extensions?.max]), [['documents', 'RESULT_TOO_LARGE', 10]]);
      // Two lists of 6: the second one is over the shared budget.
      const shared = await graphql(api.graphqlUrl, { query: '{ a: search(q: "x") { __typename } b: search(q: "y") { __typename } c: search(q: "z") { __typename } d: search(q: "w") { __typename } }', token });
      assert.deepEqual(shared.body.errors?.map((error) => [error.path?.join('.'), error.extensions?.code]), [['d', 'RESULT_TOO_LARGE']]);
    } finally {
      await api.close();
    }
  });

  test('fragment fan-out (each fragment spreading the one below twice) is costed once per fragment and refused', async () => {
    const levels = 14; // 2^13 spreads of an 11-cost fragment: 90,112
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0 ? 'fragment F0 on Query { documents(limit: 5) { id } }' : `fragment F${i} on Query { ...F${i - 1} ... on Query { ...F${i - 1} } }`,
    ).join('\n');
    for (const response of await both(`{ ...F${levels - 1} }\n${fragments}`)) {
      assertRefused(response, 'OPERATION_TOO_COMPLEX', 'maxCost');
    }
    assert.equal((await fetch(`${running.api.origin}/healthz`)).status, 200);
  });
});
