import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompositionResult } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Kind, parse, print, type DirectiveDefinitionNode, type DocumentNode } from 'graphql';
import { CLAIMGATE_DIRECTIVES } from '../../src/directives/type-defs.ts';
import { postWithHeaderLines } from '../support/raw-http.ts';
import { graphql, type TestApi } from '../support/test-api.ts';
import { createTestKey, type TestIssuer } from '../support/test-issuer.ts';
import { CALLERS, CROSS_SUBGRAPH_QUERY, directOutcome, expectedOutcome, outcome, type Caller } from './cross-subgraph-matrix.ts';
import { startSubgraphs, type Subgraphs } from './start-subgraphs.ts';

const AUTH_DIRECTIVES = [...CLAIMGATE_DIRECTIVES, 'authenticated', 'requiresScopes', 'policy'];

/**
 * @apollo/gateway refuses a supergraph that links @authenticated or
 * @requiresScopes `for: SECURITY` (UNSUPPORTED_LINKED_FEATURE): it cannot
 * enforce them, and Apollo Router can. Here the subgraphs enforce them, so
 * for this gateway only the purpose is dropped and the directives stay as
 * plain metadata. Throws if the composed supergraph no longer has the lines,
 * so the workaround cannot silently stop applying.
 */
function supergraphForApolloGateway(supergraphSdl: string): string {
  let replaced = 0;
  const sdl = supergraphSdl.replace(
    /(@link\(url: "https:\/\/specs\.apollo\.dev\/(?:authenticated|requiresScopes|policy)\/v0\.1"), for: SECURITY\)/g,
    (_, link: string) => {
      replaced++;
      return `${link})`;
    },
  );
  assert.equal(replaced, 3, 'expected the authenticated, requiresScopes and policy links for: SECURITY in the supergraph');
  return sdl;
}

describe('federation behind @apollo/gateway: example + reviews subgraphs', () => {
  let subgraphs: Subgraphs;
  let issuer: TestIssuer;
  let example: TestApi;
  let reviews: TestApi;
  let composition: CompositionResult;
  let server: ApolloServer<{ authorization?: string }> | undefined;
  let gatewayUrl: string;
  let tokens: Record<Caller, { token?: string }>;

  before(async () => {
    // Both subgraphs run claimgate against the same issuers: each verifies the forwarded token itself.
    // The supergraph is composed from what each running subgraph serves, as a router's tooling would.
    subgraphs = await startSubgraphs();
    ({ issuer, example, reviews, composition, tokens } = subgraphs);
    if (composition.errors !== undefined) return;

    const gateway = new ApolloGateway({
      supergraphSdl: supergraphForApolloGateway(composition.supergraphSdl),
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<{ authorization?: string }>({
          url: url!,
          willSendRequest({ request, context }) {
            if (context.authorization !== undefined) request.http?.headers.set('authorization', context.authorization);
          },
        }),
    });
    server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
    ({ url: gatewayUrl } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
      // req.headers keeps only the first of two Authorization headers: pass them all on, so the subgraph refuses two.
      context: async ({ req }) => {
        const authorization = req.headersDistinct.authorization;
        return authorization === undefined ? {} : { authorization: authorization.join(', ') };
      },
    }));
  });

  after(async () => {
    await server?.stop();
    await subgraphs?.close();
  });

  test('composes without errors and without hints about the auth directives', () => {
    assert.equal(composition.errors, undefined, composition.errors?.map((error) => error.message).join('\n'));
    const mentionsAuth = new RegExp(`@(${AUTH_DIRECTIVES.join('|')})\\b|ClaimValue|composeDirective|claimgate`);
    const authHints = composition.hints.filter((hint) => mentionsAuth.test(hint.message) || mentionsAuth.test(hint.coordinate ?? ''));
    assert.deepEqual(
      authHints.map((hint) => `${hint.definition.code}: ${hint.message}`),
      [],
    );
  });

  test('the supergraph keeps the auth directives: links, definitions and every use from both subgraphs', () => {
    assert.ok(composition.supergraphSdl !== undefined);
    const supergraph = parse(composition.supergraphSdl);
    const links = supergraph.definitions
      .filter((d) => d.kind === Kind.SCHEMA_DEFINITION)
      .flatMap((d) => d.directives ?? [])
      .map((directive) => print(directive))
      .filter((line) => !line.includes('/join/') && !line.includes('/link/'));
    assert.deepEqual(links, [
      '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
      '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
      '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
      '@link(url: "https://claimgate.dev/auth/v0.1", import: ["@auth", "@hasRole", "@hasAnyRole", "@hasScope", "@hasClaim", "@public"])',
    ]);

    const defined = supergraph.definitions
      .filter((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION)
      .map((d) => d.name.value);
    for (const name of AUTH_DIRECTIVES) assert.ok(defined.includes(name), `@${name} is defined in the supergraph`);

    assert.deepEqual(authDirectiveUses(supergraph), [
      'Document @hasRole(role: "editor")',
      'Document.reviews @hasRole(role: "editor")',
      'Draft @policy(policies: [["draft.owner"], ["draft.editor"]])',
      'Mutation.renameDocument @hasRole(role: "editor")',
      'Mutation.addNote @auth',
      'PublicNote @public',
      'Query.publicInfo @public',
      'Query.me @auth',
      'Query.adminReport @hasRole(role: "admin")',
      'Query.secretOfTheDay @public',
      'Query.node @public',
      'Query.search @public',
      'Query.verifiedNote @hasClaim(claim: "email_verified", value: true)',
      'Query.scopedReport @requiresScopes(scopes: [["reports:read"], ["admin"]])',
      'Query.documents @public',
      'Query.user @public',
      'Query.drafts @auth',
      'Secret @auth',
      'Subscription.noteAdded @public',
      'Subscription.documentChanged @hasScope(scope: "documents:watch")',
      'User.email @hasRole(role: "admin")',
      'User.reviews @authenticated',
    ]);
  });

  test('@apollo/gateway refuses the supergraph as composed, because it cannot enforce @authenticated/@requiresScopes', async () => {
    const strict = new ApolloGateway({ supergraphSdl: composition.supergraphSdl! });
    await assert.rejects(strict.load(), (error: Error & { causes?: { message: string; extensions: { code: unknown } }[] }) => {
      assert.deepEqual(
        error.causes?.map((cause) => [cause.extensions.code, cause.message]),
        [
          ['UNSUPPORTED_LINKED_FEATURE', 'feature https://specs.apollo.dev/requiresScopes/v0.1 is for: SECURITY but is unsupported'],
          ['UNSUPPORTED_LINKED_FEATURE', 'feature https://specs.apollo.dev/policy/v0.1 is for: SECURITY but is unsupported'],
          ['UNSUPPORTED_LINKED_FEATURE', 'feature https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is unsupported'],
        ],
      );
      return true;
    });
  });

  for (const caller of CALLERS) {
    test(`${caller}: the gateway's field-level outcome equals the direct calls' and the expected one`, async () => {
      const token = tokens[caller];
      const response = await graphql(gatewayUrl, { query: CROSS_SUBGRAPH_QUERY, ...token });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/graphql-response+json; charset=utf-8');
      const expected = expectedOutcome(caller);
      assert.deepEqual(outcome(response.body), expected);
      assert.deepEqual(await directOutcome(example, reviews, token), expected);
      // Every error came from a subgraph's check: the gateway added none of its own.
      for (const error of response.body.errors ?? []) assert.ok(['example', 'reviews'].includes(String(error.extensions?.serviceName)));
    });
  }

  test('two Authorization headers: the context passes both on, joined, and the subgraph refuses the result (Node alone would keep the first)', async () => {
    for (const order of [[tokens['editor+admin'].token, tokens.reader.token], [tokens.reader.token, tokens['editor+admin'].token]]) {
      const response = await postWithHeaderLines(gatewayUrl, order.map((token) => `Authorization: Bearer ${token}`), { query: '{ user(id: "u1") { email } }' });
      assert.equal(response.status, 200);
      const body = JSON.parse(response.body) as { data: unknown; errors: { message: string; extensions: { code: string; response?: { status: number; body: unknown } } }[] };
      assert.deepEqual(body.data, { user: null });
      assert.deepEqual(
        body.errors.map((error) => [error.message, error.extensions.code, error.extensions.response?.status, error.extensions.response?.body]),
        [['401: Unauthorized', 'UNAUTHENTICATED', 401, { errors: [{ message: 'Unauthenticated: not a Bearer credential.', extensions: { code: 'UNAUTHENTICATED' } }] }]],
      );
    }
  });

  test('keys unavailable: INTERNAL_SERVER_ERROR \'503: Service Unavailable\', with claimgate\'s status and AUTH_UNAVAILABLE body inside', async () => {
    const response = await graphql(gatewayUrl, { query: '{ user(id: "u1") { name email } }', token: subgraphs.keysDown });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { user: null });
    assert.deepEqual(
      response.body.errors?.map((error) => ({
        message: error.message,
        code: error.extensions?.code,
        subgraphStatus: (error.extensions?.response as { status: number } | undefined)?.status,
        subgraphBody: (error.extensions?.response as { body: unknown } | undefined)?.body,
      })),
      [
        {
          message: '503: Service Unavailable',
          code: 'INTERNAL_SERVER_ERROR',
          subgraphStatus: 503,
          subgraphBody: { errors: [{ message: 'Authentication is temporarily unavailable; retry later.', extensions: { code: 'AUTH_UNAVAILABLE' } }] },
        },
      ],
    );
  });

  test('a token signed with another key, forwarded by the gateway, is refused by the subgraphs themselves', async () => {
    const foreignKey = await createTestKey('RS256', issuer.keys[0]!.kid);
    const forged = await issuer.mint({ roles: ['editor', 'admin'] }, { key: foreignKey });
    const rejectedBefore = example.logs.filter((line) => line.event === 'token.rejected').length;

    const response = await graphql(gatewayUrl, { query: '{ user(id: "u1") { name email } }', token: forged });
    // The gateway answers 200 and nulls the field; the subgraph's 401 is inside the error.
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { user: null });
    assert.deepEqual(
      response.body.errors?.map((error) => ({
        message: error.message,
        code: error.extensions?.code,
        subgraphStatus: (error.extensions?.response as { status: number } | undefined)?.status,
        subgraphBody: (error.extensions?.response as { body: unknown } | undefined)?.body,
      })),
      [
        {
          message: '401: Unauthorized',
          code: 'UNAUTHENTICATED',
          subgraphStatus: 401,
          subgraphBody: { errors: [{ message: 'Unauthenticated: invalid signature.', extensions: { code: 'UNAUTHENTICATED' } }] },
        },
      ],
    );
    const rejected = example.logs.filter((line) => line.event === 'token.rejected').slice(rejectedBefore);
    assert.equal(rejected.length, 1);
    assert.equal(rejected[0]!.fields.reason, 'bad_signature');

    // The same call direct to the subgraph: 401 with the Bearer challenge, nothing executed.
    const direct = await graphql(example.graphqlUrl, { query: '{ user(id: "u1") { name email } }', token: forged });
    assert.equal(direct.status, 401);
    assert.match(direct.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
    assert.deepEqual(direct.body, { errors: [{ message: 'Unauthenticated: invalid signature.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});

/** "Type @directive(args)" and "Type.field @directive(args)" for every auth directive use, in SDL order. */
function authDirectiveUses(document: DocumentNode): string[] {
  const uses: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const type = definition.name.value;
    for (const directive of definition.directives ?? []) {
      if (AUTH_DIRECTIVES.includes(directive.name.value)) uses.push(`${type} ${print(directive)}`);
    }
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        if (AUTH_DIRECTIVES.includes(directive.name.value)) uses.push(`${type}.${field.name.value} ${print(directive)}`);
      }
    }
  }
  return uses;
}
