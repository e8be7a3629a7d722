import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestKey, JWKS_PATH, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { parsePrometheusText, seriesKey, type Exposition } from '../support/prometheus-text.ts';
import { REJECTION_REASONS } from '../../src/verification/token-rejected-error.ts';

// The key caches and the metrics read this clock, so an outage has an exact length.
const startedAt = Date.now();
let offsetMs = 0;
const now = () => startedAt + offsetMs;

let issuer: TestIssuer;
let api: TestApi;
before(async () => {
  issuer = await startTestIssuer();
  api = await startTestApi(issuer.env({ LIMIT_MAX_ALIASES: '2', LIMIT_MAX_TOKENS: '40' }), {
    // No refresh or retry fires on its own during the script: every fetch is one the script asked for.
    verifier: { now, jwks: { refreshMs: 3_600_000, retryInitialMs: 3_600_000, retryMaxMs: 3_600_000 } },
  });
});
after(async () => {
  await api?.close();
  await issuer?.close();
});

async function scrape(): Promise<Exposition> {
  const response = await fetch(`${api.server.metricsOrigin}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return parsePrometheusText(await response.text());
}

/** The samples of one family, as `seriesKey → value`, for whole-result comparisons. */
function family(exposition: Exposition, name: string, keep: (key: string) => boolean = () => true): Record<string, number> {
  return Object.fromEntries([...exposition.samples].filter(([key]) => (key === name || key.startsWith(`${name}{`)) && keep(key)));
}

const verification = (reason: string, cache: 'hit' | 'miss') =>
  seriesKey('claimgate_token_verifications_total', {
    outcome: reason === 'none' ? 'accepted' : reason === 'keys_unavailable' ? 'unavailable' : 'rejected',
    reason,
    cache,
  });

test('a scripted run moves every counter by exactly what it did', async () => {
  const iss = issuer.issuer;
  assert.equal(api.server.metricsOrigin, api.origin, 'metrics are on the API port by default');

  // n = 3 good tokens, one of them sent twice more (2 cache hits).
  const good = await Promise.all(['u1', 'u2', 'u3'].map((sub) => issuer.mint({ sub })));
  for (const token of good) assert.equal((await graphql(api.graphqlUrl, { query: '{ me { sub } }', token })).status, 200);
  for (let i = 0; i < 2; i++) assert.equal((await graphql(api.graphqlUrl, { query: '{ me { sub } }', token: good[0]! })).status, 200);
  // m = 2 expired tokens.
  for (const sub of ['e1', 'e2']) assert.equal((await graphql(api.graphqlUrl, { query: '{ publicInfo }', token: await issuer.mint({ sub }, { ttl: -60 }) })).status, 401);
  // k = 2 tokens under a kid the JWKS does not hold (within the cooldown: no refetch).
  const stranger = await createTestKey('RS256', 'not-published');
  for (const sub of ['k1', 'k2']) assert.equal((await graphql(api.graphqlUrl, { query: '{ publicInfo }', token: await issuer.mint({ sub }, { key: stranger }) })).status, 401);
  // One token from an issuer nobody configured: a reason, never an issuer label.
  const foreign = await issuer.mint({ iss: 'https://evil.example' });
  assert.equal((await graphql(api.graphqlUrl, { query: '{ publicInfo }', token: foreign })).status, 401);
  // p = 3 denials of Query.adminReport to a reader (token cached: 3 more hits), 1 to an anonymous caller.
  for (let i = 0; i < 3; i++) {
    const response = await graphql(api.graphqlUrl, { query: '{ adminReport }', token: good[1]! });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
  }
  assert.equal((await graphql(api.graphqlUrl, { query: '{ adminReport }' })).body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  // Refusals, each document twice: Yoga caches parse errors and validation results, the counts must not.
  const aliases = '{ a: publicInfo b: publicInfo c: publicInfo }';
  const tokens = `{ ${Array.from({ length: 30 }, (_, i) => `f${i}: publicInfo`).join(' ')} }`;
  for (const query of [aliases, aliases, tokens, tokens]) assert.equal((await graphql(api.graphqlUrl, { query })).status, 400);

  // A JWKS outage of 90 s on the caches' clock: two failed refreshes, then recovery 30 s later.
  const keys = api.server.verifier.keyCaches[0]!;
  issuer.keyServer.fail(JWKS_PATH, { kind: 'status', status: 503 });
  offsetMs += 45_000;
  await keys.reload();
  offsetMs += 45_000;
  await keys.reload();
  const during = await scrape();
  assert.deepEqual(family(during, 'claimgate_jwks_age_seconds'), { [seriesKey('claimgate_jwks_age_seconds', { issuer: iss })]: 90 });
  assert.deepEqual(family(during, 'claimgate_jwks_ready'), { [seriesKey('claimgate_jwks_ready', { issuer: iss })]: 1 }, 'stale-if-error keeps the keys');
  issuer.keyServer.recover(JWKS_PATH);
  offsetMs += 30_000;
  await keys.reload();

  const metrics = await scrape();
  const expected: Record<string, number> = {};
  for (const reason of ['none', ...Object.keys(REJECTION_REASONS), 'keys_unavailable']) {
    expected[verification(reason, 'miss')] = 0;
    expected[verification(reason, 'hit')] = 0;
  }
  expected[verification('none', 'miss')] = 3;
  expected[verification('none', 'hit')] = 2 + 3;
  expected[verification('expired', 'miss')] = 2;
  expected[verification('unknown_key', 'miss')] = 2;
  expected[verification('untrusted_issuer', 'miss')] = 1;
  assert.deepEqual(family(metrics, 'claimgate_token_verifications_total'), expected);

  assert.deepEqual(family(metrics, 'claimgate_authorization_denials_total'), {
    [seriesKey('claimgate_authorization_denials_total', { coordinate: 'Query.adminReport', code: 'FORBIDDEN', mode: 'enforced' })]: 3,
    [seriesKey('claimgate_authorization_denials_total', { coordinate: 'Query.adminReport', code: 'UNAUTHENTICATED', mode: 'enforced' })]: 1,
  });

  const fetches: Record<string, number> = {};
  for (const result of ['ok', 'http_error', 'timeout', 'too_large', 'invalid', 'unreachable']) fetches[seriesKey('claimgate_jwks_fetches_total', { issuer: iss, result })] = 0;
  fetches[seriesKey('claimgate_jwks_fetches_total', { issuer: iss, result: 'ok' })] = 2;
  fetches[seriesKey('claimgate_jwks_fetches_total', { issuer: iss, result: 'http_error' })] = 2;
  assert.deepEqual(family(metrics, 'claimgate_jwks_fetches_total'), fetches);
  assert.equal(metrics.samples.get(seriesKey('claimgate_jwks_fetch_duration_seconds_count', { issuer: iss })), 4);
  assert.deepEqual(family(metrics, 'claimgate_jwks_age_seconds'), { [seriesKey('claimgate_jwks_age_seconds', { issuer: iss })]: 0 });
  assert.deepEqual(family(metrics, 'claimgate_jwks_keys'), { [seriesKey('claimgate_jwks_keys', { issuer: iss })]: 1 });
  assert.deepEqual(family(metrics, 'claimgate_jwks_ready'), { [seriesKey('claimgate_jwks_ready', { issuer: iss })]: 1 });
  const refusals: Record<string, number> = {};
  for (const limit of ['maxTokens', 'maxDepth', 'maxAliases', 'maxDirectives', 'maxCost', 'maxListItems']) refusals[seriesKey('claimgate_operations_refused_total', { limit })] = 0;
  refusals[seriesKey('claimgate_operations_refused_total', { limit: 'maxAliases' })] = 2;
  refusals[seriesKey('claimgate_operations_refused_total', { limit: 'maxTokens' })] = 2;
  assert.deepEqual(family(metrics, 'claimgate_operations_refused_total'), refusals);
  assert.ok(![...metrics.samples.keys()].some((key) => key.includes('evil.example')), 'an unknown iss never becomes a label');
});
