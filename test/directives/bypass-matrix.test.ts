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

type Caller = 'anonymous' | 'lacking' | 'meeting';

interface Row {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  /** Claims of the token that lacks the requirement, and of the one that meets it. */
  readonly lacking: Record<string, unknown>;
  readonly meeting: Record<string, unknown>;
  readonly expect: Record<Caller, { data: unknown; errors: unknown[] }>;
}

const denied = (data: unknown, path: string, code: string) => ({ data, errors: [[path, code]] });
const allowed = (data: unknown) => ({ data, errors: [] });
const ADMIN = { roles: ['admin'] };
const EDITOR = { roles: ['editor'] };
const READER = { roles: ['reader', 'superadmin', 'Admin', 'Editor', 'editors'] };

const rows: Row[] = [
  {
    name: 'alias',
    query: '{ x: adminReport y: adminReport }',
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: { data: { x: null, y: null }, errors: [['x', 'UNAUTHENTICATED'], ['y', 'UNAUTHENTICATED']] },
      lacking: { data: { x: null, y: null }, errors: [['x', 'FORBIDDEN'], ['y', 'FORBIDDEN']] },
      meeting: allowed({ x: 'All systems nominal.', y: 'All systems nominal.' }),
    },
  },
  {
    name: 'inline fragment',
    query: '{ ... on Query { adminReport } }',
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: denied({ adminReport: null }, 'adminReport', 'UNAUTHENTICATED'),
      lacking: denied({ adminReport: null }, 'adminReport', 'FORBIDDEN'),
      meeting: allowed({ adminReport: 'All systems nominal.' }),
    },
  },
  {
    name: 'named fragment',
    query: '{ ...Report } fragment Report on Query { report: adminReport }',
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: denied({ report: null }, 'report', 'UNAUTHENTICATED'),
      lacking: denied({ report: null }, 'report', 'FORBIDDEN'),
      meeting: allowed({ report: 'All systems nominal.' }),
    },
  },
  {
    name: 'interface selection (a non-null field denied nulls its parent)',
    query: '{ node(id: "d1") { id ... on Document { title } } note: node(id: "n1") { id } }',
    lacking: READER,
    meeting: EDITOR,
    expect: {
      anonymous: denied({ node: null, note: { id: 'n1' } }, 'node', 'UNAUTHENTICATED'),
      lacking: denied({ node: null, note: { id: 'n1' } }, 'node', 'FORBIDDEN'),
      meeting: allowed({ node: { id: 'd1', title: 'Quarterly plan' }, note: { id: 'n1' } }),
    },
  },
  {
    name: 'union members: a Document the caller may not read becomes null, PublicNotes stay',
    query: '{ search(q: "x") { __typename ... on Document { title } ... on PublicNote { text } } }',
    lacking: READER,
    meeting: EDITOR,
    expect: {
      anonymous: denied(
        { search: [{ __typename: 'PublicNote', text: 'Welcome to claimgate.' }, null, { __typename: 'PublicNote', text: 'Directives guard every path.' }] },
        'search.1',
        'UNAUTHENTICATED',
      ),
      lacking: denied(
        { search: [{ __typename: 'PublicNote', text: 'Welcome to claimgate.' }, null, { __typename: 'PublicNote', text: 'Directives guard every path.' }] },
        'search.1',
        'FORBIDDEN',
      ),
      meeting: allowed({
        search: [
          { __typename: 'PublicNote', text: 'Welcome to claimgate.' },
          { __typename: 'Document', title: 'Quarterly plan' },
          { __typename: 'PublicNote', text: 'Directives guard every path.' },
        ],
      }),
    },
  },
  {
    name: 'list of protected objects (non-null items propagate to the nullable root)',
    query: '{ documents(limit: 2) { id title } }',
    lacking: READER,
    meeting: EDITOR,
    expect: {
      anonymous: denied(null, 'documents', 'UNAUTHENTICATED'),
      lacking: denied(null, 'documents', 'FORBIDDEN'),
      meeting: allowed({ documents: [{ id: 'doc-0', title: 'Document 0' }, { id: 'doc-1', title: 'Document 1' }] }),
    },
  },
  {
    name: 'nested protected field on a public type',
    query: '{ user(id: "u1") { name email } }',
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: denied({ user: { name: 'Ada', email: null } }, 'user.email', 'UNAUTHENTICATED'),
      lacking: denied({ user: { name: 'Ada', email: null } }, 'user.email', 'FORBIDDEN'),
      meeting: allowed({ user: { name: 'Ada', email: 'ada@example.com' } }),
    },
  },
  {
    name: 'nested protected types: a role-protected User field inside a role-protected Document',
    query: '{ node(id: "d1") { ... on Document { title author { name email } } } }',
    lacking: EDITOR,
    meeting: { roles: ['editor', 'admin'] },
    expect: {
      anonymous: denied({ node: null }, 'node', 'UNAUTHENTICATED'),
      lacking: denied({ node: { title: 'Quarterly plan', author: { name: 'Ada', email: null } } }, 'node.author.email', 'FORBIDDEN'),
      meeting: allowed({ node: { title: 'Quarterly plan', author: { name: 'Ada', email: 'ada@example.com' } } }),
    },
  },
  {
    name: 'type-level @auth reached through a public field',
    query: '{ secretOfTheDay { value } }',
    lacking: {},
    meeting: {},
    expect: {
      anonymous: denied({ secretOfTheDay: null }, 'secretOfTheDay', 'UNAUTHENTICATED'),
      lacking: allowed({ secretOfTheDay: { value: 'The cake is in the fridge.' } }),
      meeting: allowed({ secretOfTheDay: { value: 'The cake is in the fridge.' } }),
    },
  },
  {
    name: '__typename on a protected type reveals nothing: the type is guarded where it is returned',
    query: '{ secretOfTheDay { __typename } node(id: "d1") { __typename } }',
    lacking: READER,
    meeting: EDITOR,
    expect: {
      anonymous: { data: { secretOfTheDay: null, node: null }, errors: [['secretOfTheDay', 'UNAUTHENTICATED'], ['node', 'UNAUTHENTICATED']] },
      lacking: denied({ secretOfTheDay: { __typename: 'Secret' }, node: null }, 'node', 'FORBIDDEN'),
      meeting: allowed({ secretOfTheDay: { __typename: 'Secret' }, node: { __typename: 'Document' } }),
    },
  },
  {
    name: '@include and @skip',
    query: 'query ($yes: Boolean!) { adminReport @include(if: $yes) hidden: adminReport @skip(if: $yes) publicInfo @skip(if: $yes) }',
    variables: { yes: true },
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: denied({ adminReport: null }, 'adminReport', 'UNAUTHENTICATED'),
      lacking: denied({ adminReport: null }, 'adminReport', 'FORBIDDEN'),
      meeting: allowed({ adminReport: 'All systems nominal.' }),
    },
  },
  {
    name: 'several operations in one document, chosen by operationName',
    query: 'query Open { publicInfo } query Closed { adminReport }',
    operationName: 'Closed',
    lacking: READER,
    meeting: ADMIN,
    expect: {
      anonymous: denied({ adminReport: null }, 'adminReport', 'UNAUTHENTICATED'),
      lacking: denied({ adminReport: null }, 'adminReport', 'FORBIDDEN'),
      meeting: allowed({ adminReport: 'All systems nominal.' }),
    },
  },
  {
    name: 'custom claim: email_verified must be the boolean true',
    query: '{ verifiedNote }',
    lacking: { email_verified: 'true' },
    meeting: { email_verified: true },
    expect: {
      anonymous: denied({ verifiedNote: null }, 'verifiedNote', 'UNAUTHENTICATED'),
      lacking: denied({ verifiedNote: null }, 'verifiedNote', 'FORBIDDEN'),
      meeting: allowed({ verifiedNote: 'Thanks for verifying your email.' }),
    },
  },
  {
    name: 'Apollo @requiresScopes',
    query: '{ scopedReport }',
    lacking: { scope: 'reports:write openid' },
    meeting: { scope: 'openid reports:read' },
    expect: {
      anonymous: denied({ scopedReport: null }, 'scopedReport', 'UNAUTHENTICATED'),
      lacking: denied({ scopedReport: null }, 'scopedReport', 'FORBIDDEN'),
      meeting: allowed({ scopedReport: 'Report: 42 widgets.' }),
    },
  },
  {
    name: 'mutation',
    query: 'mutation { renameDocument(id: "d2", title: "Renamed") { id title } }',
    lacking: READER,
    meeting: EDITOR,
    expect: {
      anonymous: denied({ renameDocument: null }, 'renameDocument', 'UNAUTHENTICATED'),
      lacking: denied({ renameDocument: null }, 'renameDocument', 'FORBIDDEN'),
      meeting: allowed({ renameDocument: { id: 'd2', title: 'Renamed' } }),
    },
  },
];

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
