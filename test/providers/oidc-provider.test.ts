/**
 * claimgate against a real OpenID provider (oidc-provider): keys found
 * through its discovery document, real client-credentials JWT access tokens
 * (RFC 9068, `typ: at+jwt`) for every algorithm it signs with, key rotation,
 * and an outage of the provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { OIDC_ALGORITHMS, OIDC_AUDIENCE, startOidcProvider, type OidcProviderHandle } from '../support/oidc-provider.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';

const QUERY = '{ me { sub scopes } scopedReport }';
/** Short enough that a rotation test waits little, long enough that two requests in a row fall inside one window. */
const COOLDOWN_MS = 1_000;

/** The env of the README's generic OIDC recipe: issuer and audience, keys through discovery. */
function envFor(op: OidcProviderHandle): Record<string, string> {
  return { AUTH_ISSUER: op.issuer, AUTH_AUDIENCE: OIDC_AUDIENCE, AUTH_TOKEN_TYPE: 'at+jwt' };
}

/** The verifier's clock runs `skew` ms ahead of the wall clock: a test moves it past a cooldown instead of sleeping. */
let skew = 0;
const clock = () => Date.now() + skew;

async function startApi(op: OidcProviderHandle): Promise<TestApi> {
  return startTestApi(envFor(op), { verifier: { jwks: { cooldownMs: COOLDOWN_MS }, now: clock } });
}

/** The full answer to QUERY for a client-credentials token with both scopes. */
function granted(response: GraphQLResponse): void {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
  assert.equal(response.headers.get('www-authenticate'), null);
  assert.deepEqual(response.body, {
    data: { me: { sub: 'claimgate-test-client', scopes: ['reports:read', 'documents:write'] }, scopedReport: 'Report: 42 widgets.' },
  });
}

/** A request-level 401 with the RFC 6750 challenge; nothing executed. */
function refused(response: GraphQLResponse, description: string): void {
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="${description}"`);
  assert.deepEqual(response.body, {
    errors: [{ message: `Unauthenticated: ${description}.`, extensions: { code: 'UNAUTHENTICATED' } }],
  });
}


describe('a real OpenID provider, keys through discovery', () => {
  let op: OidcProviderHandle;
  let api: TestApi;

  before(async () => {
    op = await startOidcProvider();
    api = await startApi(op);
  });
  after(async () => {
    await api?.close();
    await op?.stop();
  });

  test('discovery is read once, then the JWKS it names', () => {
    assert.equal(op.discoveryRequests(), 1);
    assert.equal(op.jwksRequests(), 1);
    assert.equal(api.server.verifier.keyCaches[0]!.fetchCount, 1);
  });

  for (const alg of OIDC_ALGORITHMS) {
    test(`a client-credentials ${alg} access token verifies and its scopes satisfy @requiresScopes`, async () => {
      const token = await op.mintAccessToken({ alg });
      assert.equal(decodeProtectedHeader(token).alg, alg);
      assert.equal(decodeProtectedHeader(token).typ, 'at+jwt');
      granted(await graphql(api.graphqlUrl, { query: QUERY, token }));
    });
  }

  test('a token without the scope is authenticated but refused the scoped field', async () => {
    const token = await op.mintAccessToken({ alg: 'ES256', scope: 'documents:write' });
    const response = await graphql(api.graphqlUrl, { query: QUERY, token });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      data: { me: { sub: 'claimgate-test-client', scopes: ['documents:write'] }, scopedReport: null },
      errors: [
        {
          message: 'Forbidden: requires scopes reports:read or admin.',
          locations: [{ line: 1, column: 21 }],
          path: ['scopedReport'],
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  test('all five algorithms needed no JWKS request beyond the first', () => {
    assert.equal(op.jwksRequests(), 1);
  });
});

describe('key rotation at the provider', () => {
  let op: OidcProviderHandle;
  let api: TestApi;

  before(async () => {
    op = await startOidcProvider();
    api = await startApi(op);
  });
  after(async () => {
    await api?.close();
    await op?.stop();
  });

  test('new-key tokens verify after exactly one refetch; retired-key tokens are refused, even ones verified before', async () => {
    const old = await op.mintAccessToken({ alg: 'RS256' });
    granted(await graphql(api.graphqlUrl, { query: QUERY, token: old }));

    await op.rotateKeys();
    const fresh = await Promise.all(OIDC_ALGORITHMS.map((alg) => op.mintAccessToken({ alg })));
    assert.notEqual(decodeProtectedHeader(fresh[0]!).kid, decodeProtectedHeader(old).kid);
    // Let the cooldown that started with the first fetch run out.
    skew += COOLDOWN_MS;
    assert.equal(op.jwksRequests(), 1);

    granted(await graphql(api.graphqlUrl, { query: QUERY, token: fresh[0]! }));
    assert.equal(op.jwksRequests(), 2, 'the unknown kid caused one refetch');
    assert.equal(op.discoveryRequests(), 1, 'the jwks_uri found by discovery is kept');

    // The old token was verified (and cached) before; its key is gone now.
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: old }), 'no matching key');
    assert.equal(op.jwksRequests(), 2, 'the refusal came within the cooldown, without another fetch');

    for (const token of fresh.slice(1)) granted(await graphql(api.graphqlUrl, { query: QUERY, token }));
    assert.equal(op.jwksRequests(), 2, 'that one refetch brought every new key');
  });
});

describe('a provider outage mid-run', () => {
  let op: OidcProviderHandle;
  let api: TestApi;

  before(async () => {
    op = await startOidcProvider();
    api = await startApi(op);
  });
  after(async () => {
    await api?.close();
    await op?.stop();
  });

  test('while the provider is down, known keys keep verifying (stale-if-error); after a restart it is used again', async () => {
    const keys = api.server.verifier.keyCaches[0]!;
    // Minted before the outage but never shown to claimgate, so nothing is cached for them.
    const before = await Promise.all(OIDC_ALGORITHMS.map((alg) => op.mintAccessToken({ alg })));
    const forged = await op.mintAccessToken({ alg: 'ES256' });

    await op.stop();
    const requestsBefore = op.jwksRequests();
    await keys.reload();
    assert.equal(op.jwksRequests(), requestsBefore, 'the provider was unreachable');
    assert.ok(
      api.logs.some((line) => line.event === 'jwks.fetch_failed' && line.fields['keptKeys'] === true),
      'the failed refresh is logged and the keys are kept',
    );
    assert.equal(keys.ready, true);
    const ready = await fetch(`${api.origin}/readyz`);
    assert.equal(ready.status, 200);
    await ready.body?.cancel();

    for (const token of before) granted(await graphql(api.graphqlUrl, { query: QUERY, token }));

    // A kid nobody knows cannot be checked while the provider is down: refused, not waved through.
    const [header, payload, signature] = forged.split('.');
    const unknownKid = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(forged), kid: 'not-a-known-kid' })).toString('base64url');
    assert.ok(header !== undefined && payload !== undefined && signature !== undefined);
    skew += COOLDOWN_MS;
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: `${unknownKid}.${payload}.${signature}` }), 'no matching key');

    await op.restart();
    const generation = keys.generation;
    await keys.reload();
    assert.ok(op.jwksRequests() > requestsBefore, 'the restarted provider is asked again');
    assert.equal(keys.generation, generation, 'same keys after the restart: nothing re-verified');
    granted(await graphql(api.graphqlUrl, { query: QUERY, token: await op.mintAccessToken({ alg: 'EdDSA' }) }));
  });
});
