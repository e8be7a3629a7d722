// Two survivors of a mutation run, each with a test that fails on its bug:
// directives on `extend type` / `extend interface` are enforced, and a roles
// claim that is one string with a space is one role, never split.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';
import { makeAuthSchema } from '../../src/directives/make-auth-schema.ts';
import { errorCodes, graphql, withIssuerAndApi } from '../support/test-api.ts';

const SDL = `
  type Query { box: Box account: Account }
  type Box { id: ID! }
  extend type Box @hasRole(role: "boxer")
  interface Account { id: ID! }
  extend interface Account @hasRole(role: "accountant")
  type Person implements Account { id: ID! }
`;
const root = { box: () => ({ id: 'b' }), account: () => ({ __typename: 'Person', id: 'p' }) };

/**
 * graphql-js keeps `extend` directives in `extensionASTNodes` (graphql-tools
 * merges them into `astNode`): both builds must be guarded.
 */
function graphqlJsSchema(): GraphQLSchema {
  const schema = buildSchema(`${authDirectiveTypeDefs}\n${SDL}`);
  const query = schema.getQueryType()!.getFields();
  query['box']!.resolve = root.box;
  query['account']!.resolve = root.account;
  return authDirectiveTransformer(schema);
}
const toolsSchema = () => makeAuthSchema({ typeDefs: SDL, resolvers: { Query: root, Account: { __resolveType: () => 'Person' } } });

const denied = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', role: string, path: string) => ({
  message: `${code === 'UNAUTHENTICATED' ? 'Unauthenticated' : 'Forbidden'}: requires role ${role}.`,
  locations: [{ line: 1, column: 3 }],
  path: [path],
  extensions: { code },
});

for (const [build, makeSchema] of [['graphql-js buildSchema', graphqlJsSchema], ['makeAuthSchema', toolsSchema]] as const) {
  describe(`directives on type extensions, over HTTP (${build})`, () => {
    const running = withIssuerAndApi({}, { schema: makeSchema() });
    const ask = async (query: string, roles?: string[]) => {
      const token = roles === undefined ? undefined : await running.issuer.mint({ roles });
      const response = await graphql(running.api.graphqlUrl, { query, ...(token === undefined ? {} : { token }) });
      return { status: response.status, body: response.body };
    };

    test('extend type Box @hasRole(role: "boxer") guards Box: anonymous and no-role callers denied, the role allowed', async () => {
      assert.deepEqual(await ask('{ box { id } }'), { status: 200, body: { data: { box: null }, errors: [denied('UNAUTHENTICATED', 'boxer', 'box')] } });
      assert.deepEqual(await ask('{ box { id } }', ['reader']), { status: 200, body: { data: { box: null }, errors: [denied('FORBIDDEN', 'boxer', 'box')] } });
      assert.deepEqual(await ask('{ box { id } }', ['boxer']), { status: 200, body: { data: { box: { id: 'b' } } } });
    });

    test('extend interface Account @hasRole(role: "accountant") reaches what returns it: denied without the role', async () => {
      assert.deepEqual(await ask('{ account { id } }'), {
        status: 200,
        body: { data: { account: null }, errors: [denied('UNAUTHENTICATED', 'accountant', 'account')] },
      });
      assert.deepEqual(await ask('{ account { id } }', ['reader']), {
        status: 200,
        body: { data: { account: null }, errors: [denied('FORBIDDEN', 'accountant', 'account')] },
      });
      assert.deepEqual(await ask('{ account { id } }', ['accountant']), { status: 200, body: { data: { account: { id: 'p' } } } });
    });
  });
}

describe('a roles claim that is one string', () => {
  const running = withIssuerAndApi();
  test('"reader admin" is one role named "reader admin": @hasRole(role: "admin") stays denied', async () => {
    const token = await running.issuer.mint({ roles: 'reader admin' });
    const response = await graphql(running.api.graphqlUrl, { query: '{ adminReport me { roles } }', token });
    assert.deepEqual(response.body.data, { adminReport: null, me: { roles: ['reader admin'] } });
    assert.deepEqual(errorCodes(response), ['FORBIDDEN']);
    const admin = await graphql(running.api.graphqlUrl, { query: '{ adminReport }', token: await running.issuer.mint({ roles: 'admin' }) });
    assert.deepEqual(admin.body.data, { adminReport: 'All systems nominal.' }, 'a single-role string still counts');
  });
});
