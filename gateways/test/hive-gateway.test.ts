import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CALLERS, CROSS_SUBGRAPH_QUERY, directOutcome, expectedOutcome, outcome, type Outcome } from '../../test/federation/cross-subgraph-matrix.ts';
import { graphql } from '../../test/support/test-api.ts';
import { startHiveGateway, type GatewayProcess } from './support/start-gateway.ts';
import { COOKIE_NAME, startSubgraphs, type Subgraphs } from '../../test/federation/start-subgraphs.ts';
import { assertNoProtectedValue, directRefusal, REFUSALS } from './support/refusals.ts';
import { postWithHeaderLines } from '../../test/support/raw-http.ts';

/** The root fields of CROSS_SUBGRAPH_QUERY: Hive repeats a subgraph's request-level error at each one. */
const ROOT_FIELDS = ['latestReviews', 'node', 'scopedReport', 'user', 'verifiedNote'];

/**
 * Where Hive reports the errors of entity fields it fetched for
 * `latestReviews`: a denied Document at `document.title` (the field it asked
 * for) instead of `document`, and every denied author's email at index 0.
 * Messages and codes are claimgate's; only these paths differ.
 */
function asHiveReportsIt(expected: Outcome): Outcome {
  const path = (p: string) => p.replace(/^(latestReviews\.\d+\.document)$/, '$1.title').replace(/^latestReviews\.\d+\.author\.email$/, 'latestReviews.0.author.email');
  return { data: expected.data, errors: expected.errors.map((error) => ({ ...error, path: path(error.path) })).sort((a, b) => a.path.localeCompare(b.path)) };
}

describe('behind Hive Gateway 2.15 (gateways/hive/gateway.config.ts): example + reviews subgraphs', () => {
  let subgraphs: Subgraphs;
  let gateway: GatewayProcess;

  before(async () => {
    subgraphs = await startSubgraphs();
    gateway = await startHiveGateway(subgraphs.files.supergraph, { forwardCookie: true });
  });

  after(async () => {
    await gateway?.close();
    await subgraphs?.close();
  });

  for (const caller of CALLERS) {
    test(`${caller}: the gateway's data equals the direct calls' and the expected data, with claimgate's errors`, async () => {
      const token = subgraphs.tokens[caller];
      const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, ...token });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/graphql-response+json; charset=utf-8');
      const expected = expectedOutcome(caller);
      assert.deepEqual(outcome(response.body), asHiveReportsIt(expected));
      assert.deepEqual(await directOutcome(subgraphs.example, subgraphs.reviews, token), expected);
      // Every error came from a subgraph's check: the gateway added none of its own.
      for (const error of response.body.errors ?? []) assert.ok(['example', 'reviews'].includes(String(error.extensions?.serviceName)));
    });
  }

  for (const refusal of REFUSALS) {
    test(`${refusal.name}: 200 with claimgate's message and UNAUTHENTICATED at each root field, no data`, async () => {
      const token = subgraphs.refused[refusal.token];
      const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, token });
      assert.equal(response.status, 200);
      // Hive keeps neither the status nor the challenge.
      assert.equal(response.headers.get('www-authenticate'), null);
      // latestReviews is non-null, so its null takes the whole of data with it.
      assert.equal(response.body.data, null);
      assert.deepEqual(
        (response.body.errors ?? []).map((error) => [error.path?.join('.'), error.message, error.extensions?.code]).sort(),
        ROOT_FIELDS.map((field) => [field, `Unauthenticated: ${refusal.description}.`, 'UNAUTHENTICATED']),
      );
      assertNoProtectedValue(response);
      await directRefusal(subgraphs, token, refusal.description);
    });
  }

  test("keys unavailable: 200 with claimgate's AUTH_UNAVAILABLE at each root field, no Retry-After", async () => {
    const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, token: subgraphs.keysDown });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('retry-after'), null);
    assert.equal(response.body.data, null);
    assert.deepEqual(
      (response.body.errors ?? []).map((error) => [error.path?.join('.'), error.message, error.extensions?.code]).sort(),
      ROOT_FIELDS.map((field) => [field, 'Authentication is temporarily unavailable; retry later.', 'AUTH_UNAVAILABLE']),
    );
  });

  test('two Authorization headers: the config refuses them with 401, as claimgate does directly (Node would keep only the first)', async () => {
    const admin = subgraphs.tokens['editor+admin'].token!;
    const reader = subgraphs.tokens.reader.token!;
    for (const order of [[admin, reader], [reader, admin]]) {
      const response = await postWithHeaderLines(gateway.graphqlUrl, order.map((token) => `Authorization: Bearer ${token}`), { query: '{ user(id: "u1") { email } }' });
      assert.deepEqual(
        [response.status, response.headers['www-authenticate'], JSON.parse(response.body)],
        [
          401,
          'Bearer error="invalid_request", error_description="more than one Authorization header"',
          { errors: [{ message: 'Unauthenticated: more than one Authorization header.', extensions: { code: 'UNAUTHENTICATED' } }] },
        ],
      );
    }
    // Direct to the subgraph: the same answer.
    const direct = await postWithHeaderLines(subgraphs.example.graphqlUrl, [`Authorization: Bearer ${admin}`, `Authorization: Bearer ${reader}`], { query: '{ user(id: "u1") { email } }' });
    assert.equal(direct.status, 401);
    assert.deepEqual(JSON.parse(direct.body), { errors: [{ message: 'Unauthenticated: more than one Authorization header.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  test('the cookie is forwarded with CLAIMGATE_FORWARD_COOKIE=1: a cookie-only caller gets what its token allows', async () => {
    const cookie = `${COOKIE_NAME}=${subgraphs.tokens['editor+admin'].token!}`;
    const response = await graphql(gateway.graphqlUrl, { query: '{ user(id: "u1") { email reviews { id } } }', headers: { cookie } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { data: { user: { email: 'ada@example.com', reviews: [{ id: 'r1' }] } } });
  });
});
