import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Kind, parse, print, type DirectiveDefinitionNode, type DocumentNode } from 'graphql';
import { CLAIMGATE_DIRECTIVES } from '../../src/directives/type-defs.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';
import { createTestKey, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { createReviewsSchema } from './reviews-subgraph.ts';

const AUTH_DIRECTIVES = [...CLAIMGATE_DIRECTIVES, 'authenticated', 'requiresScopes', 'policy'];

/** Spans both subgraphs in both directions: example → reviews (user, node) and reviews → example (latestReviews). */
const CROSS_SUBGRAPH_QUERY = /* GraphQL */ `
  {
    user(id: "u1") { id name email reviews { id stars } }
    node(id: "d1") { id ... on Document { title reviews { id } } }
    latestReviews { id stars author { name email } document { id title } }
  }
`;

type Caller = 'anonymous' | 'reader' | 'editor' | 'editor+admin';
const ROLES: Record<Exclude<Caller, 'anonymous'>, string[]> = {
  reader: ['reader'],
  editor: ['editor'],
  'editor+admin': ['editor', 'admin'],
};

/** Field-level outcome: the data, and each error's message, path and code (sorted by path). */
interface Outcome {
  readonly data: unknown;
  readonly errors: readonly { message: string; path: string; code: unknown }[];
}

function outcome(body: GraphQLResponse['body']): Outcome {
  return { data: body.data, errors: errorsOf(body.errors ?? [], (path) => path) };
}

function errorsOf(
  errors: NonNullable<GraphQLResponse['body']['errors']>,
  rewrite: (path: (string | number)[]) => (string | number)[] | undefined,
): Outcome['errors'] {
  return errors
    .flatMap((error) => {
      const path = rewrite(error.path ?? []);
      return path === undefined ? [] : [{ message: error.message, path: path.join('.'), code: error.extensions?.code }];
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

const DENIAL = { UNAUTHENTICATED: 'Unauthenticated', FORBIDDEN: 'Forbidden' } as const;
const deny = (code: keyof typeof DENIAL, requirement: string, path: string) => ({ message: `${DENIAL[code]}: requires ${requirement}.`, path, code });

/** The expected outcome of CROSS_SUBGRAPH_QUERY, written out per caller. */
function expectedOutcome(caller: Caller): Outcome {
  const signedIn = caller !== 'anonymous';
  const editor = caller === 'editor' || caller === 'editor+admin';
  const admin = caller === 'editor+admin';
  const code = signedIn ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  const quarterlyPlan = { id: 'd1', title: 'Quarterly plan' };
  const data = {
    user: { id: 'u1', name: 'Ada', email: admin ? 'ada@example.com' : null, reviews: signedIn ? [{ id: 'r1', stars: 5 }] : null },
    node: editor ? { ...quarterlyPlan, reviews: [{ id: 'r1' }, { id: 'r2' }] } : null,
    latestReviews: [
      { id: 'r1', stars: 5, author: { name: 'Ada', email: admin ? 'ada@example.com' : null }, document: editor ? quarterlyPlan : null },
      { id: 'r2', stars: 3, author: { name: 'Grace', email: admin ? 'grace@example.com' : null }, document: editor ? quarterlyPlan : null },
    ],
  };
  const errors = [
    ...(editor ? [] : [deny(code, 'role editor', 'latestReviews.0.document'), deny(code, 'role editor', 'latestReviews.1.document')]),
    ...(admin ? [] : [deny(code, 'role admin', 'latestReviews.0.author.email'), deny(code, 'role admin', 'latestReviews.1.author.email')]),
    ...(editor ? [] : [deny(code, 'role editor', 'node')]),
    ...(admin ? [] : [deny(code, 'role admin', 'user.email')]),
    ...(signedIn ? [] : [deny('UNAUTHENTICATED', 'authentication', 'user.reviews')]),
  ].sort((a, b) => a.path.localeCompare(b.path));
  return { data, errors };
}

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
  let issuer: TestIssuer;
  let example: TestApi;
  let reviews: TestApi;
  let composition: CompositionResult;
  let server: ApolloServer<{ authorization?: string }> | undefined;
  let gatewayUrl: string;
  const tokens = {} as Record<Exclude<Caller, 'anonymous'>, string>;

  before(async () => {
    issuer = await startTestIssuer();
    for (const [caller, roles] of Object.entries(ROLES)) tokens[caller as keyof typeof ROLES] = await issuer.mint({ roles });
    // Both subgraphs run claimgate against the same issuer: each verifies the forwarded token itself.
    [example, reviews] = await Promise.all([startTestApi(issuer.env()), startTestApi(issuer.env(), { schema: createReviewsSchema() })]);

    // Compose from what each running subgraph serves, as a router's tooling would.
    const [exampleSdl, reviewsSdl] = await Promise.all([serviceSdl(example), serviceSdl(reviews)]);
    composition = composeServices([
      { name: 'example', url: example.graphqlUrl, typeDefs: parse(exampleSdl) },
      { name: 'reviews', url: reviews.graphqlUrl, typeDefs: parse(reviewsSdl) },
    ]);
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
      context: async ({ req }) => (req.headers.authorization === undefined ? {} : { authorization: req.headers.authorization }),
    }));
  });

  after(async () => {
    await server?.stop();
    await Promise.all([example?.close(), reviews?.close()]);
    await issuer?.close();
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

  for (const caller of ['anonymous', 'reader', 'editor', 'editor+admin'] as const) {
    test(`${caller}: the gateway's field-level outcome equals the direct calls' and the expected one`, async () => {
      const token = caller === 'anonymous' ? {} : { token: tokens[caller] };
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

async function serviceSdl(api: TestApi): Promise<string> {
  const response = await graphql(api.graphqlUrl, { query: '{ _service { sdl } }' });
  assert.equal(response.status, 200);
  return (response.body.data as { _service: { sdl: string } })._service.sdl;
}

/**
 * The outcome CROSS_SUBGRAPH_QUERY should have, assembled from direct calls
 * to each subgraph (normal fields and `_entities`, as a query planner would
 * send them), with paths rewritten to the gateway's.
 */
async function directOutcome(example: TestApi, reviews: TestApi, token: { token?: string }): Promise<Outcome> {
  const fromReviews = await graphql(reviews.graphqlUrl, {
    query: /* GraphQL */ `
      query ($users: [_Any!]!, $documents: [_Any!]!) {
        latestReviews { id stars author { id } document { id } }
        users: _entities(representations: $users) { ... on User { reviews { id stars } } }
        documents: _entities(representations: $documents) { ... on Document { reviews { id } } }
      }
    `,
    variables: { users: [{ __typename: 'User', id: 'u1' }], documents: [{ __typename: 'Document', id: 'd1' }] },
    ...token,
  });
  assert.equal(fromReviews.status, 200);
  const r = fromReviews.body.data as {
    latestReviews: { id: string; stars: number; author: { id: string }; document: { id: string } }[];
    users: [{ reviews: unknown }];
    documents: [{ reviews: unknown }];
  };

  const fromExample = await graphql(example.graphqlUrl, {
    query: /* GraphQL */ `
      query ($authors: [_Any!]!, $documents: [_Any!]!) {
        user(id: "u1") { id name email }
        node(id: "d1") { id ... on Document { title } }
        authors: _entities(representations: $authors) { ... on User { name email } }
        documents: _entities(representations: $documents) { ... on Document { title } }
      }
    `,
    variables: {
      authors: r.latestReviews.map((review) => ({ __typename: 'User', ...review.author })),
      documents: r.latestReviews.map((review) => ({ __typename: 'Document', ...review.document })),
    },
    ...token,
  });
  assert.equal(fromExample.status, 200);
  const e = fromExample.body.data as {
    user: Record<string, unknown> | null;
    node: Record<string, unknown> | null;
    authors: unknown[];
    documents: ({ title: string } | null)[];
  };

  // A planner asks reviews for Document fields only when example returned the Document.
  const data = {
    user: e.user && { ...e.user, reviews: r.users[0].reviews },
    node: e.node && { ...e.node, reviews: r.documents[0].reviews },
    latestReviews: r.latestReviews.map((review, i) => {
      const document = e.documents[i];
      return { id: review.id, stars: review.stars, author: e.authors[i], document: document ? { id: review.document.id, ...document } : null };
    }),
  };
  const errors = [
    ...errorsOf(fromExample.body.errors ?? [], ([root, index, ...rest]) => {
      if (root === 'authors') return ['latestReviews', index!, 'author', ...rest];
      if (root === 'documents') return ['latestReviews', index!, 'document', ...rest];
      return [root!, ...(index === undefined ? [] : [index]), ...rest];
    }),
    ...errorsOf(fromReviews.body.errors ?? [], ([root, , ...rest]) => {
      if (root === 'users') return ['user', ...rest];
      if (root === 'documents') return e.node === null ? undefined : ['node', ...rest];
      return undefined;
    }),
  ].sort((a, b) => a.path.localeCompare(b.path));
  assert.equal((fromReviews.body.errors ?? []).filter((error) => error.path?.[0] === 'latestReviews').length, 0);
  return { data, errors };
}

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
