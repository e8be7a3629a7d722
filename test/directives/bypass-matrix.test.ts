// The bypass matrix: whatever path a query takes to a protected field, the
// same check runs. Each row runs anonymously, with a token lacking the
// requirement, and with one that meets it, over real HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';

let issuer: TestIssuer;
let api: TestApi;
let apis: Record<'fast path' | 'per-field guards only', TestApi>;

before(async () => {
  issuer = await startTestIssuer();
  apis = {
    'fast path': await startTestApi(issuer.env()),
    'per-field guards only': await startTestApi(issuer.env(), { fastPath: false }),
  };
});
after(async () => {
  for (const running of Object.values(apis)) await running.close();
  await issuer.close();
});

/** Data plus each error as [path, code]: the whole outcome, compared at once. */
function outcome(response: GraphQLResponse) {
  assert.equal(response.status, 200);
  return {
    data: response.body.data,
    errors: (response.body.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]),
  };
}

import { ADMIN, allowed, denied, EDITOR, READER, rows } from '../support/bypass-rows.ts';

for (const path of ['fast path', 'per-field guards only'] as const) describe(`bypass matrix (${path})`, () => {
  before(() => {
    api = apis[path];
  });
  for (const row of rows) {
    test(row.name, async () => {
      const request = { query: row.query, ...(row.variables ? { variables: row.variables } : {}), ...(row.operationName ? { operationName: row.operationName } : {}) };
      const anonymous = await graphql(api.graphqlUrl, request);
      const lacking = await graphql(api.graphqlUrl, { ...request, token: await issuer.mint(row.lacking) });
      const meeting = await graphql(api.graphqlUrl, { ...request, token: await issuer.mint(row.meeting) });
      assert.deepEqual(
        { anonymous: outcome(anonymous), lacking: outcome(lacking), meeting: outcome(meeting) },
        row.expect,
      );
    });
  }

  test('a denied mutation never runs its resolver', async () => {
    const before = await graphql(api.graphqlUrl, { query: '{ node(id: "d1") { ... on Document { title } } }', token: await issuer.mint(EDITOR) });
    for (const token of [undefined, await issuer.mint(READER)]) {
      await graphql(api.graphqlUrl, { query: 'mutation { renameDocument(id: "d1", title: "Hijacked") { id } }', ...(token ? { token } : {}) });
    }
    const after = await graphql(api.graphqlUrl, { query: '{ node(id: "d1") { ... on Document { title } } }', token: await issuer.mint(EDITOR) });
    assert.deepEqual(after.body, before.body);
    assert.deepEqual(after.body, { data: { node: { title: 'Quarterly plan' } } });
  });

  test('denial messages name the requirement, never claim values', async () => {
    const response = await graphql(api.graphqlUrl, {
      query: '{ adminReport verifiedNote scopedReport }',
      token: await issuer.mint({ roles: ['secret-role-name'], email_verified: 'nope-value', scope: 'private-scope' }),
    });
    assert.deepEqual(
      response.body.errors?.map((error) => error.message),
      ['Forbidden: requires role admin.', 'Forbidden: requires claim email_verified to be true.', 'Forbidden: requires scopes reports:read or admin.'],
    );
    const text = JSON.stringify(response.body);
    for (const secret of ['secret-role-name', 'nope-value', 'private-scope', 'alice']) assert.ok(!text.includes(secret), secret);
  });

  test('role matching is exact: superadmin, Admin and " admin" never grant admin', async () => {
    for (const roles of [['superadmin'], ['Admin'], [' admin'], ['admin ']]) {
      const response = await graphql(api.graphqlUrl, { query: '{ adminReport }', token: await issuer.mint({ roles }) });
      assert.deepEqual(outcome(response), denied({ adminReport: null }, 'adminReport', 'FORBIDDEN'), JSON.stringify(roles));
    }
  });

  test('roles come from the roles claim only: a lone string counts, other shapes give none', async () => {
    const cases: [unknown, string[]][] = [
      ['admin', ['admin']],
      [['admin', 'editor'], ['admin', 'editor']],
      [{ admin: true }, []],
      [['admin', 7], []],
      [7, []],
      [undefined, []],
    ];
    for (const [roles, expected] of cases) {
      const token = await issuer.mint({ roles, role: 'admin', groups: ['admin'], permissions: ['admin'] });
      const response = await graphql(api.graphqlUrl, { query: '{ me { roles } }', token });
      assert.deepEqual(response.body, { data: { me: { roles: expected } } }, JSON.stringify(roles));
    }
  });
});
