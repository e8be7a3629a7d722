// The protection report: the transformer's own plan, printed. On the example
// API its verdicts are compared with what the server does for an anonymous
// caller, field by field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, GraphQLList } from 'graphql';
import { protectionReport } from '../../src/directives/protection-report.ts';
import { createExampleSchema } from '../../src/example/create-example-schema.ts';
import { rawSse } from '../support/subscription-clients.ts';
import { graphql, withIssuerAndApi } from '../support/test-api.ts';

const running = withIssuerAndApi();

/** Arguments that make each root field return the data its protections are about (a Document, a Draft). */
const ARGS: Record<string, string> = {
  'Query.node': '(id: "d1")',
  'Query.search': '(q: "x")',
  'Query.user': '(id: "u1")',
  'Query.documents': '(limit: 1)',
  'Query._entities': '(representations: [{ __typename: "Document", id: "d1" }])',
  'Mutation.renameDocument': '(id: "d2", title: "Renamed")',
  'Mutation.addNote': '(text: "report")',
  'Subscription.documentChanged': '(id: "d2")',
};

/** For each non-root type, a path an anonymous caller can take to one of its objects (`%` is the selection), or null when none is open. */
const REACH: Record<string, string | null> = {
  PublicNote: '{ node(id: "n1") { ... on PublicNote { % } } }',
  User: '{ user(id: "u1") { % } }',
  _Service: '{ _service { % } }',
  Document: '{ node(id: "d1") { ... on Document { % } } }',
  Draft: '{ node(id: "r1") { ... on Draft { % } } }',
  Secret: '{ secretOfTheDay { % } }',
  // Only through Query.me (@auth): no anonymous path, so its fields' own verdicts cannot be observed anonymously.
  Viewer: null,
};

describe('the report on the example API matches the server, field by field', () => {
  const report = protectionReport(createExampleSchema());

  test('every root-reachable field is listed', () => {
    assert.deepEqual(report.fields.map((field) => field.coordinate), [
      'Document.author', 'Document.id', 'Document.title',
      'Draft.id', 'Draft.ownerId', 'Draft.title',
      'Mutation.addNote', 'Mutation.renameDocument',
      'PublicNote.id', 'PublicNote.text',
      'Query._entities', 'Query._service', 'Query.adminReport', 'Query.documents', 'Query.drafts', 'Query.me', 'Query.node',
      'Query.publicInfo', 'Query.scopedReport', 'Query.search', 'Query.secretOfTheDay', 'Query.user', 'Query.verifiedNote',
      'Secret.value', 'Subscription.documentChanged', 'Subscription.noteAdded', 'User.email', 'User.id', 'User.name',
      'Viewer.issuer', 'Viewer.roles', 'Viewer.scopes', 'Viewer.sub',
      '_Service.sdl',
    ]);
    assert.deepEqual(report.unprotected, ['User.id', 'User.name', 'Viewer.issuer', 'Viewer.roles', 'Viewer.scopes', 'Viewer.sub']);
  });

  test('an anonymous caller gets a field without error exactly when the report does not call it protected', async () => {
    const schema = createExampleSchema();
    const mismatches: string[] = [];
    for (const entry of report.fields) {
      const [typeName, fieldName] = entry.coordinate.split('.') as [string, string];
      const type = schema.getType(typeName) as GraphQLObjectType;
      const field = type.getFields()[fieldName]!;
      const selection = `${fieldName}${ARGS[entry.coordinate] ?? ''}${isComposite(field.type) ? ' { __typename }' : ''}`;
      let query: string;
      if (typeName === 'Subscription') {
        const open = await anonymousSubscriptionGetsData(`subscription { ${selection} }`, fieldName);
        if (open !== (entry.status !== 'protected')) mismatches.push(`${entry.coordinate}: report ${entry.status}, anonymous subscriber ${open ? 'got data' : 'was denied'}`);
        continue;
      }
      if (typeName === 'Query') query = `{ ${selection} }`;
      else if (typeName === 'Mutation') query = `mutation { ${selection} }`;
      else if (REACH[typeName] === null) {
        assert.notEqual(REACH[typeName], undefined);
        continue;
      } else query = REACH[typeName]!.replace('%', selection);
      const response = await graphql(running.api.graphqlUrl, { query });
      const open = response.status === 200 && response.body.errors === undefined && JSON.stringify(response.body.data).includes(`"${fieldName}":`) && !JSON.stringify(response.body.data).includes(`"${fieldName}":null`);
      if (open !== (entry.status !== 'protected')) mismatches.push(`${entry.coordinate}: report ${entry.status}, anonymous ${open ? 'got data' : 'was denied'} (${JSON.stringify(response.body)})`);
    }
    assert.deepEqual(mismatches, []);
  });

  /**
   * Subscribes anonymously over SSE, then publishes (a note, a rename, as
   * callers allowed to) until the stream answers: data for the field, or the
   * denial it started with.
   */
  async function anonymousSubscriptionGetsData(query: string, fieldName: string): Promise<boolean> {
    const stream = await rawSse(running.api.graphqlUrl, query);
    try {
      const token = await running.issuer.mint({ roles: ['editor'] });
      const deadline = Date.now() + 10_000;
      let n = 0;
      while (stream.events.length === 0) {
        if (Date.now() > deadline) throw new Error(`no event on ${query}`);
        await graphql(running.api.graphqlUrl, { query: `mutation { addNote(text: "tick ${n}") { id } renameDocument(id: "d2", title: "Renamed ${n++}") { id } }`, token });
        await stream.waitFor(1, 100).catch(() => undefined);
      }
      const first = stream.events[0]!;
      const payload = first.data as { data?: Record<string, unknown> | null; errors?: unknown[] } | undefined;
      return first.event === 'next' && payload?.errors === undefined && payload?.data?.[fieldName] != null;
    } finally {
      stream.abort();
    }
  }

  test('what protects a field, by source', () => {
    const byCoordinate = new Map(report.fields.map((field) => [field.coordinate, field]));
    assert.deepEqual(byCoordinate.get('Query.drafts'), {
      coordinate: 'Query.drafts',
      status: 'protected',
      protectedBy: [
        { kind: 'field', from: 'Query.drafts', requires: ['authentication'] },
        { kind: 'returned-type', from: 'Draft', requires: ['policy draft.owner or draft.editor'] },
      ],
    });
    assert.deepEqual(byCoordinate.get('Query.publicInfo'), { coordinate: 'Query.publicInfo', status: 'public', protectedBy: [], publicFrom: 'Query.publicInfo' });
    assert.deepEqual(byCoordinate.get('User.name'), { coordinate: 'User.name', status: 'unprotected', protectedBy: [] });
  });

  test('protect-all leaves nothing unprotected, and names default-deny as the protection', () => {
    const strict = protectionReport(createExampleSchema('protect-all'));
    assert.equal(strict.mode, 'protect-all');
    assert.deepEqual(strict.unprotected, []);
    assert.deepEqual(strict.fields.find((field) => field.coordinate === 'User.name')?.protectedBy, [{ kind: 'protect-all', from: 'protect-all', requires: ['authentication'] }]);
  });
});

function isComposite(type: unknown): boolean {
  let named = type as { ofType?: unknown };
  while (named.ofType !== undefined) named = named.ofType as { ofType?: unknown };
  return 'getFields' in named || 'getTypes' in named;
}

test('a code-first schema (graphql-js constructors, extensions.directives) is read like SDL', () => {
  const Account = new GraphQLObjectType({
    name: 'Account',
    extensions: { directives: { hasRole: [{ role: 'admin' }] } },
    fields: { id: { type: GraphQLString } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        hello: { type: GraphQLString },
        accounts: { type: new GraphQLList(Account), extensions: { directives: { auth: [{}] } } },
        orphan: { type: GraphQLString, extensions: { directives: { public: [{}] } } },
      },
    }),
  });
  const report = protectionReport(schema);
  assert.deepEqual(report, {
    mode: 'default',
    fields: [
      { coordinate: 'Account.id', status: 'protected', protectedBy: [{ kind: 'type', from: 'Account', requires: ['role admin'] }] },
      {
        coordinate: 'Query.accounts',
        status: 'protected',
        protectedBy: [
          { kind: 'field', from: 'Query.accounts', requires: ['authentication'] },
          { kind: 'returned-type', from: 'Account', requires: ['role admin'] },
        ],
      },
      { coordinate: 'Query.hello', status: 'unprotected', protectedBy: [] },
      { coordinate: 'Query.orphan', status: 'public', protectedBy: [], publicFrom: 'Query.orphan' },
    ],
    unprotected: ['Query.hello'],
  });
  assert.deepEqual(protectionReport(schema, { mode: 'protect-all' }).unprotected, []);
  assert.throws(() => protectionReport(schema, { mode: 'strict' as never }), { name: 'TypeError' });
});
