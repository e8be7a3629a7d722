// The bypass matrix's table: each row is one path to a protected field of the
// example API, with what each caller must get. Shared by every test that runs it
// (enforced, and audit mode, where every caller gets the meeting caller's data).
export type Caller = 'anonymous' | 'lacking' | 'meeting';

export interface Row {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  /** Claims of the token that lacks the requirement, and of the one that meets it. */
  readonly lacking: Record<string, unknown>;
  readonly meeting: Record<string, unknown>;
  readonly expect: Record<Caller, { data: unknown; errors: unknown[] }>;
}

export const denied = (data: unknown, path: string, code: string) => ({ data, errors: [[path, code]] });
export const allowed = (data: unknown) => ({ data, errors: [] });
export const ADMIN = { roles: ['admin'] };
export const EDITOR = { roles: ['editor'] };
export const READER = { roles: ['reader', 'superadmin', 'Admin', 'Editor', 'editors'] };

export const rows: readonly Row[] = [
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
