import assert from 'node:assert/strict';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { parse } from 'graphql';
import { graphql, type GraphQLResponse, type TestApi } from '../support/test-api.ts';
import type { TestIssuer } from '../support/test-issuer.ts';

/**
 * The cross-subgraph protection matrix every gateway test runs: one query
 * that spans the example and reviews subgraphs in both directions, the
 * callers it is sent as, the outcome expected for each, and the same outcome
 * assembled from direct calls to the subgraphs.
 */

/**
 * Spans both subgraphs in both directions: example → reviews (user, node) and
 * reviews → example (latestReviews); plus the scope- and claim-guarded root
 * fields of the example.
 */
export const CROSS_SUBGRAPH_QUERY = /* GraphQL */ `
  {
    user(id: "u1") { id name email reviews { id stars } }
    node(id: "d1") { id ... on Document { title reviews { id } } }
    latestReviews { id stars author { name email } document { id title } }
    scopedReport
    verifiedNote
  }
`;

export type Caller = 'anonymous' | 'reader' | 'editor' | 'editor+admin' | 'scopes' | 'claims';

/** Every caller of the matrix, in the order the tests run them. */
export const CALLERS: readonly Caller[] = ['anonymous', 'reader', 'editor', 'editor+admin', 'scopes', 'claims'];

/** The claims each signed-in caller's token carries beyond the issuer's defaults. */
const CALLER_CLAIMS: Record<Exclude<Caller, 'anonymous'>, Record<string, unknown>> = {
  reader: { roles: ['reader'] },
  editor: { roles: ['editor'] },
  'editor+admin': { roles: ['editor', 'admin'] },
  scopes: { roles: ['reader'], scope: 'openid reports:read' },
  claims: { roles: ['reader'], email_verified: true },
};

/** A token for each signed-in caller; the anonymous caller sends none. */
export async function mintCallerTokens(issuer: TestIssuer): Promise<Record<Caller, { token?: string }>> {
  const tokens = { anonymous: {} } as Record<Caller, { token?: string }>;
  for (const [caller, claims] of Object.entries(CALLER_CLAIMS)) tokens[caller as Caller] = { token: await issuer.mint(claims) };
  return tokens;
}

/** Field-level outcome: the data, and each error's message, path and code (sorted by path). */
export interface Outcome {
  readonly data: unknown;
  readonly errors: readonly { message: string; path: string; code: unknown }[];
}

export function outcome(body: GraphQLResponse['body']): Outcome {
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
export function expectedOutcome(caller: Caller): Outcome {
  const signedIn = caller !== 'anonymous';
  const editor = caller === 'editor' || caller === 'editor+admin';
  const admin = caller === 'editor+admin';
  const scoped = caller === 'scopes';
  const verified = caller === 'claims';
  const code = signedIn ? 'FORBIDDEN' : 'UNAUTHENTICATED';
  const quarterlyPlan = { id: 'd1', title: 'Quarterly plan' };
  const data = {
    user: { id: 'u1', name: 'Ada', email: admin ? 'ada@example.com' : null, reviews: signedIn ? [{ id: 'r1', stars: 5 }] : null },
    node: editor ? { ...quarterlyPlan, reviews: [{ id: 'r1' }, { id: 'r2' }] } : null,
    latestReviews: [
      { id: 'r1', stars: 5, author: { name: 'Ada', email: admin ? 'ada@example.com' : null }, document: editor ? quarterlyPlan : null },
      { id: 'r2', stars: 3, author: { name: 'Grace', email: admin ? 'grace@example.com' : null }, document: editor ? quarterlyPlan : null },
    ],
    scopedReport: scoped ? 'Report: 42 widgets.' : null,
    verifiedNote: verified ? 'Thanks for verifying your email.' : null,
  };
  const errors = [
    ...(editor ? [] : [deny(code, 'role editor', 'latestReviews.0.document'), deny(code, 'role editor', 'latestReviews.1.document')]),
    ...(admin ? [] : [deny(code, 'role admin', 'latestReviews.0.author.email'), deny(code, 'role admin', 'latestReviews.1.author.email')]),
    ...(editor ? [] : [deny(code, 'role editor', 'node')]),
    ...(admin ? [] : [deny(code, 'role admin', 'user.email')]),
    ...(signedIn ? [] : [deny('UNAUTHENTICATED', 'authentication', 'user.reviews')]),
    ...(scoped ? [] : [deny(code, 'scopes reports:read or admin', 'scopedReport')]),
    ...(verified ? [] : [deny(code, 'claim email_verified to be true', 'verifiedNote')]),
  ].sort((a, b) => a.path.localeCompare(b.path));
  return { data, errors };
}

/** What the running subgraph serves as `_service { sdl }`: what composition tools read. */
export async function serviceSdl(api: TestApi): Promise<string> {
  const response = await graphql(api.graphqlUrl, { query: '{ _service { sdl } }' });
  assert.equal(response.status, 200);
  return (response.body.data as { _service: { sdl: string } })._service.sdl;
}

/** The live SDL of both subgraphs and their supergraph, composed as a router's tooling would. */
export async function composeLive(example: TestApi, reviews: TestApi): Promise<{ exampleSdl: string; reviewsSdl: string; composition: CompositionResult }> {
  const [exampleSdl, reviewsSdl] = await Promise.all([serviceSdl(example), serviceSdl(reviews)]);
  const composition = composeServices([
    { name: 'example', url: example.graphqlUrl, typeDefs: parse(exampleSdl) },
    { name: 'reviews', url: reviews.graphqlUrl, typeDefs: parse(reviewsSdl) },
  ]);
  return { exampleSdl, reviewsSdl, composition };
}

/**
 * The outcome CROSS_SUBGRAPH_QUERY should have, assembled from direct calls
 * to each subgraph (normal fields and `_entities`, as a query planner would
 * send them), with paths rewritten to the gateway's.
 */
export async function directOutcome(example: TestApi, reviews: TestApi, token: { token?: string }): Promise<Outcome> {
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
        scopedReport
        verifiedNote
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
    scopedReport: unknown;
    verifiedNote: unknown;
  };

  // A planner asks reviews for Document fields only when example returned the Document.
  const data = {
    user: e.user && { ...e.user, reviews: r.users[0].reviews },
    node: e.node && { ...e.node, reviews: r.documents[0].reviews },
    latestReviews: r.latestReviews.map((review, i) => {
      const document = e.documents[i];
      return { id: review.id, stars: review.stars, author: e.authors[i], document: document ? { id: review.document.id, ...document } : null };
    }),
    scopedReport: e.scopedReport,
    verifiedNote: e.verifiedNote,
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

/** Every value of `data` that a protected field holds only for the right caller: none may appear for a refused token. */
export const PROTECTED_VALUES: readonly string[] = ['ada@example.com', 'grace@example.com', 'Quarterly plan', 'Report: 42 widgets.', 'Thanks for verifying your email.'];
