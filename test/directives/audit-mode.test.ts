// Audit mode (AUTH_ENFORCEMENT=audit): every requirement evaluated, nothing
// denied, each would-be denial logged once per request and coordinate and
// counted; token verification never audited.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createYoga } from 'graphql-yoga';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { apolloAuthorizationTypeDefs, authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';
import { useClaimgate, type ClaimgatePlugin } from '../../src/plugin/use-claimgate.ts';
import { rows, type Caller } from '../support/bypass-matrix.ts';
import { createMemoryLogger, graphql, startTestApi, type GraphQLResponse, type LogLine, type TestApi } from '../support/test-api.ts';
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

let issuer: TestIssuer;
let apis: Record<'fast path' | 'per-field guards only' | 'enforced', TestApi>;

before(async () => {
  issuer = await startTestIssuer();
  apis = {
    'fast path': await startTestApi(issuer.env({ AUTH_ENFORCEMENT: 'audit' })),
    'per-field guards only': await startTestApi(issuer.env({ AUTH_ENFORCEMENT: 'audit' }), { fastPath: false }),
    enforced: await startTestApi(issuer.env()),
  };
});
after(async () => {
  for (const running of Object.values(apis)) await running.close();
  await issuer.close();
});

const wouldDeny = (logs: LogLine[]) => logs.filter((line) => line.event === 'authz.would_deny').map((line) => line.fields);

/** Sends one request and returns the response with the would-be denials it logged. */
async function ask(api: TestApi, request: Parameters<typeof graphql>[1]): Promise<{ response: GraphQLResponse; lines: Record<string, unknown>[] }> {
  const from = api.logs.length;
  const response = await graphql(api.graphqlUrl, request);
  return { response, lines: wouldDeny(api.logs.slice(from)) };
}

const requirementOf = (message: string) => /requires (.*)\.$/.exec(message)![1];

for (const path of ['fast path', 'per-field guards only'] as const) describe(`audit mode: the bypass matrix (${path})`, () => {
  test('warns loudly at start', () => {
    const warning = apis[path].logs.find((line) => line.event === 'config.audit_mode');
    assert.equal(warning?.level, 'warn');
    assert.match(String(warning?.fields.message), /AUTHORIZATION IS NOT ENFORCED/);
    assert.equal(apis.enforced.logs.find((line) => line.event === 'config.audit_mode'), undefined);
  });

  for (const row of rows) {
    test(`${row.name}: every caller gets the data; each enforced denial is a would-be denial, once per coordinate`, async () => {
      const request = { query: row.query, ...(row.variables ? { variables: row.variables } : {}), ...(row.operationName ? { operationName: row.operationName } : {}) };
      for (const caller of ['anonymous', 'lacking', 'meeting'] as Caller[]) {
        const token = caller === 'anonymous' ? undefined : await issuer.mint(caller === 'lacking' ? row.lacking : row.meeting);
        const withToken = { ...request, ...(token === undefined ? {} : { token }) };
        const { response, lines } = await ask(apis[path], withToken);
        assert.equal(response.status, 200);
        assert.deepEqual({ data: response.body.data, errors: response.body.errors ?? [] }, { data: row.expect.meeting.data, errors: [] }, caller);

        const enforced = await ask(apis.enforced, withToken);
        assert.deepEqual(enforced.lines, [], 'enforce mode logs no would-be denial');
        const expected = new Set((enforced.response.body.errors ?? []).map((error) => `${requirementOf(error.message)}|${error.extensions?.code}`));
        const logged = lines.map((line) => `${line.requirement}|${line.code}`);
        // Audit goes on where enforcement stops (children of a denied parent), so it may see more; never less.
        for (const denial of expected) assert.ok(logged.includes(denial), `${caller}: ${denial} not logged in ${JSON.stringify(lines)}`);
        if (caller === 'meeting') assert.deepEqual(lines, []);
        const keys = lines.map((line) => `${line.coordinate}|${line.requirement}|${line.code}`);
        assert.equal(new Set(keys).size, keys.length, `${caller}: once per request and coordinate`);
        for (const line of lines) {
          assert.deepEqual(Object.keys(line).sort(), caller === 'anonymous' ? ['code', 'coordinate', 'requirement'] : ['code', 'coordinate', 'requirement', 'subject']);
          if (caller !== 'anonymous') assert.match(String(line.subject), /^[0-9a-f]{16}$/);
        }
      }
    });
  }

  test('exactly the expected lines: two aliases of one field are one line; a denied parent does not hide its children', async () => {
    const alias = await ask(apis[path], { query: '{ x: adminReport y: adminReport }' });
    assert.deepEqual(alias.lines, [{ coordinate: 'Query.adminReport', requirement: 'role admin', code: 'UNAUTHENTICATED' }]);
    const nested = await ask(apis[path], { query: '{ node(id: "d1") { ... on Document { title author { name email } } } }', token: await issuer.mint({ roles: ['reader'] }) });
    assert.deepEqual(nested.response.body, { data: { node: { title: 'Quarterly plan', author: { name: 'Ada', email: 'ada@example.com' } } } });
    const subject = nested.lines[0]?.subject;
    assert.deepEqual(nested.lines, [
      { coordinate: 'Query.node', requirement: 'role editor', code: 'FORBIDDEN', subject },
      { coordinate: 'Document.title', requirement: 'role editor', code: 'FORBIDDEN', subject },
      { coordinate: 'Document.author', requirement: 'role editor', code: 'FORBIDDEN', subject },
      { coordinate: 'User.email', requirement: 'role admin', code: 'FORBIDDEN', subject },
    ]);
    // Same subject, same pseudonym; never the subject itself.
    assert.ok(!JSON.stringify(nested.lines).includes('alice'));
  });

  test('policies are audited too: a draft the caller may not read is returned and logged', async () => {
    const { response, lines } = await ask(apis[path], { query: '{ drafts { id ownerId } }', token: await issuer.mint({ sub: 'alice', roles: [] }) });
    assert.deepEqual(response.body, { data: { drafts: [{ id: 'r1', ownerId: 'alice' }, { id: 'r2', ownerId: 'bob' }] } });
    assert.deepEqual(lines.map((line) => { const { subject: _, ...rest } = line as Record<string, unknown>; return rest; }), [{ coordinate: 'Query.drafts', requirement: 'policy draft.owner or draft.editor', code: 'FORBIDDEN' }]);
  });

  test('token verification is never audited: a bad token is still 401, with nothing executed', async () => {
    for (const token of ['not-a-jwt', await issuer.mint({ aud: 'someone-else' }), `${await issuer.mint({})}x`]) {
      const { response, lines } = await ask(apis[path], { query: '{ publicInfo adminReport }', token });
      assert.equal(response.status, 401);
      assert.equal(response.body.data, undefined);
      assert.deepEqual(response.body.errors?.map((error) => error.extensions?.code), ['UNAUTHENTICATED']);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer /);
      assert.deepEqual(lines, []);
    }
  });
});

test('protect-all in audit mode: default-deny fields are served and logged', async () => {
  const api = await startTestApi(issuer.env({ AUTH_ENFORCEMENT: 'audit', AUTH_MODE: 'protect-all' }));
  try {
    const { response, lines } = await ask(api, { query: '{ publicInfo user(id: "u1") { name } }' });
    assert.deepEqual(response.body, { data: { publicInfo: 'claimgate example API', user: { name: 'Ada' } } });
    assert.deepEqual(lines, [
      { coordinate: 'Query.user', requirement: 'authentication', code: 'UNAUTHENTICATED' },
      { coordinate: 'User.name', requirement: 'authentication', code: 'UNAUTHENTICATED' },
    ]);
  } finally {
    await api.close();
  }
});

describe('library path: useClaimgate({ enforcement: "audit" }) counts would-be denials per coordinate', () => {
  let server: Server;
  let url: string;
  let plugin: ClaimgatePlugin;
  const logs: LogLine[] = [];
  before(async () => {
    const env = issuer.env();
    plugin = useClaimgate({
      issuers: [{ issuer: env.AUTH_ISSUER!, audience: TEST_AUDIENCE, jwksUri: env.AUTH_JWKS_URI! }],
      enforcement: 'audit',
      logger: createMemoryLogger(logs),
      policies: {
        owner: ({ principal, parent }) => principal?.subject === (parent as { owner: string }).owner,
        boom: () => {
          throw new TypeError('claims were secret-claim-value');
        },
      },
    });
    // Untransformed: the plugin transforms it, with its policies.
    const yoga = createYoga({
      schema: makeExecutableSchema({
        typeDefs: `${authDirectiveTypeDefs} ${apolloAuthorizationTypeDefs} type Query { a: String @hasRole(role: "admin") docs: [Doc!]! b: String @policy(policies: [["boom"]]) } type Doc @policy(policies: [["owner"]]) { owner: String! }`,
        resolvers: { Query: { a: () => 'A', docs: () => [{ owner: 'alice' }, { owner: 'bob' }], b: () => 'B' } },
      }),
      maxRequestBodySize: false,
      plugins: [plugin],
    });
    server = createServer(yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const deadline = Date.now() + 5_000;
    while (!plugin.verifier.ready) {
      if (Date.now() > deadline) throw new Error('not ready');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('counts once per request, by coordinate, requirement and code', async () => {
    const token = await issuer.mint({ sub: 'alice', roles: [] });
    for (let i = 0; i < 3; i++) {
      const response = await graphql(url, { query: '{ a x: a docs { owner } }', token });
      assert.deepEqual(response.body, { data: { a: 'A', x: 'A', docs: [{ owner: 'alice' }, { owner: 'bob' }] } });
    }
    await graphql(url, { query: '{ a }' });
    assert.equal(plugin.audit.enabled, true);
    assert.deepEqual(plugin.audit.wouldDenyCounts(), [
      { coordinate: 'Query.a', requirement: 'role admin', code: 'FORBIDDEN', count: 3 },
      { coordinate: 'Query.docs', requirement: 'policy owner', code: 'FORBIDDEN', count: 3 },
      { coordinate: 'Query.a', requirement: 'role admin', code: 'UNAUTHENTICATED', count: 1 },
    ]);
    assert.equal(logs.filter((line) => line.event === 'config.audit_mode').length, 1);
  });

  test('a throwing policy is logged with its name and error class, never its message; in audit mode the field still resolves', async () => {
    const from = logs.length;
    const response = await graphql(url, { query: '{ b }', token: await issuer.mint({ sub: 'alice' }) });
    assert.deepEqual(response.body, { data: { b: 'B' } });
    const lines = logs.slice(from).map(({ level, event, fields }) => ({ level, event, ...fields }));
    assert.deepEqual(lines.map((line) => { const { subject: _, ...rest } = line as Record<string, unknown>; return rest; }), [
      { level: 'error', event: 'authz.policy_failed', policy: 'boom', coordinate: 'Query.b', problem: 'threw', error: 'TypeError' },
      { level: 'warn', event: 'authz.would_deny', coordinate: 'Query.b', requirement: 'policy boom', code: 'FORBIDDEN' },
    ]);
    assert.ok(!JSON.stringify(lines).includes('secret-claim-value'));
  });

  test('an unknown enforcement value is refused when the plugin is created', () => {
    assert.throws(() => useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], enforcement: 'dry-run' as never }), {
      name: 'TypeError',
      message: 'useClaimgate: enforcement must be "enforce" or "audit", not "dry-run".',
    });
  });
});
