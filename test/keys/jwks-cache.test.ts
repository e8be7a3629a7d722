// The JWKS cache's behaviours, each with the provider's request counter checked.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestKey, JWKS_PATH, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { createMemoryLogger, graphql, startTestApi, type LogLine, type TestApi } from '../support/test-api.ts';
import { JwksCache } from '../../src/keys/jwks-cache.ts';
import { KeysUnavailableError } from '../../src/keys/keys-unavailable-error.ts';
import { waitFor } from '../support/wait-for.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function setup(jwks: Record<string, number> = {}, env: Record<string, string> = {}, now?: () => number) {
  const issuer = await startTestIssuer();
  const api = await startTestApi(issuer.env(env), { verifier: { jwks, ...(now === undefined ? {} : { now }) } });
  cleanups.push(() => issuer.close(), () => api.close());
  return { issuer, api };
}

const ME = '{ publicInfo me { sub } }';

describe('key loading', () => {
  test('keys are fetched once at start-up; /readyz is 200 after', async () => {
    const { issuer, api } = await setup();
    assert.equal(issuer.jwksRequests(), 1);
    assert.equal((await fetch(`${api.origin}/readyz`)).status, 200);
    for (let i = 0; i < 5; i++) {
      assert.equal((await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({ sub: `u${i}` }) })).status, 200);
    }
    assert.equal(issuer.jwksRequests(), 1);
  });

  test('many concurrent requests needing a fetch cause one fetch (single flight)', async () => {
    const { issuer, api } = await setup({ cooldownMs: 0 });
    const rotated = await createTestKey('RS256');
    issuer.publish([...issuer.keys, rotated]);
    const tokens = await Promise.all(Array.from({ length: 25 }, (_, i) => issuer.mint({ sub: `c${i}` }, { key: rotated })));
    const responses = await Promise.all(tokens.map((token) => graphql(api.graphqlUrl, { query: ME, token })));
    assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));
    assert.equal(issuer.jwksRequests(), 2);
  });

  test('a flood of unknown kids causes at most one refetch per cooldown window', async () => {
    let now = Date.now();
    const { issuer, api } = await setup({ cooldownMs: 1_500 }, {}, () => now);
    now += 1_500;
    const flood = async (count: number) => {
      const tokens = await Promise.all(
        Array.from({ length: count }, async () => issuer.mint({}, { header: { kid: `random-${Math.random()}` } })),
      );
      return Promise.all(tokens.map((token) => graphql(api.graphqlUrl, { query: ME, token })));
    };
    const first = await flood(40);
    assert.deepEqual(new Set(first.map((response) => response.status)), new Set([401]));
    assert.equal(issuer.jwksRequests(), 2, 'one refetch for the whole flood');
    await flood(40);
    assert.equal(issuer.jwksRequests(), 2, 'none inside the cooldown window');
    now += 1_499;
    await flood(10);
    assert.equal(issuer.jwksRequests(), 2, 'none a millisecond before the window ends');
    now += 1;
    await flood(10);
    assert.equal(issuer.jwksRequests(), 3, 'one more after the window');
  });

  test('a newly published key is accepted without a restart; a retired key is refused once gone', async () => {
    let now = Date.now();
    const { issuer, api } = await setup({ cooldownMs: 200 }, {}, () => now);
    const oldToken = await issuer.mint({ sub: 'old' });
    assert.equal((await graphql(api.graphqlUrl, { query: ME, token: oldToken })).status, 200);
    const next = await createTestKey('ES256');
    issuer.publish([next]);
    now += 200;
    const fresh = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({ sub: 'new' }, { key: next }) });
    assert.deepEqual([fresh.status, fresh.body.data], [200, { publicInfo: 'claimgate example API', me: { sub: 'new' } }]);
    assert.equal(issuer.jwksRequests(), 2);
    // The old token was cached as verified: the key-set change must evict it.
    const retired = await graphql(api.graphqlUrl, { query: ME, token: oldToken });
    assert.equal(retired.status, 401);
    assert.equal(retired.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="no matching key"');
  });

  test('only signing keys are candidates: oct keys and enc keys are never used', async () => {
    const { issuer, api } = await setup({ cooldownMs: 60_000 });
    const encKey = await createTestKey('RS256', 'enc-key');
    issuer.keyServer.set(JWKS_PATH, {
      keys: [
        issuer.keys[0]!.publicJwk,
        { kty: 'oct', kid: 'shared', k: Buffer.from('secret').toString('base64url'), alg: 'HS256' },
        { ...encKey.publicJwk, use: 'enc' },
      ],
    });
    await api.server.verifier.keyCaches[0]!.reload();
    const viaEnc = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({}, { key: encKey }) });
    assert.equal(viaEnc.status, 401);
    assert.equal(viaEnc.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="no matching key"');
    assert.equal((await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({ sub: 'ok' }) })).status, 200);
  });
});

describe('stale-if-error', () => {
  for (const failure of [
    { kind: 'status', status: 500 },
    { kind: 'html' },
    { kind: 'invalid-json' },
    { kind: 'oversized', bytes: 2 * 1024 * 1024 },
    // Hangs for ten minutes: only the 300 ms fetch timeout lets this test end (else --test-timeout fails it).
    { kind: 'hang', ms: 600_000 },
  ] as const) {
    test(`a refresh that fails (${failure.kind}) keeps the last good keys`, async () => {
      const { issuer, api } = await setup({ cooldownMs: 0, timeoutMs: 300 });
      issuer.keyServer.fail(JWKS_PATH, failure);
      await api.server.verifier.keyCaches[0]!.reload();
      assert.equal(issuer.jwksRequests(), 2);
      assert.equal((await fetch(`${api.origin}/readyz`)).status, 200, '/readyz stays 200');
      const known = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({ sub: `stale-${failure.kind}` }) });
      assert.deepEqual([known.status, known.body.data], [200, { publicInfo: 'claimgate example API', me: { sub: `stale-${failure.kind}` } }]);
      const unknown = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({}, { header: { kid: 'nope' } }) });
      assert.equal(unknown.status, 401, 'an unknown kid while the provider is down is a 401');
      const warning = api.logs.find((line) => line.event === 'jwks.fetch_failed');
      assert.equal(warning?.fields.keptKeys, true);
    });
  }

  test('keys expire after the maximum stale age, then tokens get 503', async () => {
    let now = Date.now();
    const issuer = await startTestIssuer();
    cleanups.push(() => issuer.close());
    const logs: LogLine[] = [];
    const cache = new JwksCache({ issuer: issuer.issuer, jwksUri: new URL(issuer.jwksUri), logger: createMemoryLogger(logs), maxStaleMs: 60_000, now: () => now });
    cleanups.push(() => cache.close());
    await cache.start();
    assert.equal(cache.ready, true);
    issuer.keyServer.fail(JWKS_PATH, { kind: 'status', status: 503 });
    now += 59_000;
    await cache.reload();
    assert.equal(cache.ready, true);
    now += 2_000;
    assert.equal(cache.ready, false);
    await assert.rejects(async () => cache.getKey({ alg: 'RS256', kid: issuer.keys[0]!.kid }, { payload: '', signature: '' } as never), KeysUnavailableError);
  });
});

describe('keys unavailable', () => {
  let issuer: TestIssuer;
  let api: TestApi;

  test('provider down at start-up: /readyz 503, tokens 503 AUTH_UNAVAILABLE, anonymous works', async () => {
    issuer = await startTestIssuer();
    cleanups.push(() => issuer.close());
    issuer.keyServer.fail(JWKS_PATH, { kind: 'status', status: 502 });
    api = await startTestApi(issuer.env(), { waitForKeys: false, verifier: { jwks: { retryInitialMs: 100, retryMaxMs: 200, cooldownMs: 60_000 } } });
    await waitFor(() => api.logs.some((line) => line.event === 'jwks.fetch_failed'), { what: 'the first fetch to fail' });
    cleanups.push(() => api.close());
    assert.equal((await fetch(`${api.origin}/healthz`)).status, 200);
    const ready = await fetch(`${api.origin}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [503, { status: 'loading keys' }]);
    const withToken = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint() });
    assert.equal(withToken.status, 503);
    assert.equal(withToken.headers.get('www-authenticate'), null);
    assert.deepEqual(withToken.body, {
      errors: [{ message: 'Authentication is temporarily unavailable; retry later.', extensions: { code: 'AUTH_UNAVAILABLE' } }],
    });
    const anonymous = await graphql(api.graphqlUrl, { query: '{ publicInfo }' });
    assert.deepEqual([anonymous.status, anonymous.body], [200, { data: { publicInfo: 'claimgate example API' } }]);
  });

  test('retries with backoff in the background and recovers without a restart', async () => {
    const before = issuer.jwksRequests();
    await waitFor(() => issuer.jwksRequests() - before >= 2, { what: 'two background retries' });
    issuer.keyServer.recover(JWKS_PATH);
    await api.ready(2_000);
    assert.equal((await fetch(`${api.origin}/readyz`)).status, 200);
    const response = await graphql(api.graphqlUrl, { query: ME, token: await issuer.mint({ sub: 'back' }) });
    assert.deepEqual([response.status, response.body.data], [200, { publicInfo: 'claimgate example API', me: { sub: 'back' } }]);
  });
});

// The refresh and retry schedule (timers) is pinned in jwks-cache-unit.test.ts.
describe('key URLs', () => {
  test('remote key URLs must be https, except loopback', () => {
    assert.throws(
      () => new JwksCache({ issuer: 'x', jwksUri: new URL('http://keys.example.com/jwks'), logger: createMemoryLogger([]) }),
      /jwksUri must use https/,
    );
  });
});
