/**
 * Checks the test-support servers against jose itself:
 * `node --import tsx test/support/selfcheck-providers.ts`
 * Prints one OK line per check and exits non-zero on the first failure.
 */
import assert from 'node:assert/strict';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import { startKeyServer } from './key-server.ts';
import { OIDC_ALGORITHMS, OIDC_AUDIENCE, OIDC_SCOPES, startOidcProvider } from './oidc-provider.ts';
import {
  AUTH0_ROLES_CLAIM,
  KEYCLOAK_API_CLIENT,
  PROVIDER_FIXTURES,
  startCognitoFixture,
  type ProviderFixture,
} from './provider-fixtures.ts';

const started = performance.now();
const ok = (message: string): void => console.log(`OK ${message}`);

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

/** The JWKS URL a verifier would use: from discovery when the provider publishes it. */
async function resolveJwksUri(fixture: { issuer: string; jwksUri: string; discoveryUri?: string }): Promise<string> {
  if (fixture.discoveryUri === undefined) return fixture.jwksUri;
  const discovery = await getJson(fixture.discoveryUri);
  assert.equal(discovery['issuer'], fixture.issuer, 'discovery issuer');
  assert.equal(discovery['jwks_uri'], fixture.jwksUri, 'discovery jwks_uri');
  return fixture.jwksUri;
}

async function verify(token: string, jwksUri: string, options: JWTVerifyOptions) {
  return jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), { requiredClaims: ['exp'], ...options });
}

async function checkKeyServer(): Promise<void> {
  const server = await startKeyServer({ '/doc': { keys: [] } });
  const read = async () => {
    const response = await fetch(server.url('/doc'), { signal: AbortSignal.timeout(1_000) });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  try {
    assert.deepEqual(await read(), { status: 200, type: 'application/json', text: '{"keys":[]}' });
    server.set('/doc', { keys: [{ kid: 'a' }] });
    assert.equal((await read()).text, '{"keys":[{"kid":"a"}]}');
    server.fail('/doc', { kind: 'status' });
    assert.equal((await read()).status, 500);
    server.fail('/doc', { kind: 'html' });
    assert.match((await read()).type ?? '', /^text\/html/);
    server.fail('/doc', { kind: 'invalid-json' });
    const invalid = await read();
    assert.equal(invalid.type, 'application/json');
    assert.throws(() => JSON.parse(invalid.text), SyntaxError);
    server.fail('/doc', { kind: 'oversized', bytes: 100_000 });
    const oversized = await fetch(server.url('/doc'));
    assert.equal(oversized.headers.get('content-length'), null);
    assert.equal((await oversized.text()).length, 100_000);
    server.fail('/doc', { kind: 'oversized', bytes: 50_000, declareLength: true });
    assert.equal((await fetch(server.url('/doc'))).headers.get('content-length'), '50000');
    server.fail('/doc', { kind: 'hang', ms: 150 });
    const hangStart = performance.now();
    assert.equal((await read()).status, 200);
    assert.ok(performance.now() - hangStart >= 140, 'hang waited');
    server.fail('/doc', { kind: 'hang', ms: 5_000 });
    await assert.rejects(fetch(server.url('/doc'), { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' });
    server.recover('/doc');
    assert.equal((await read()).status, 200);
    assert.equal((await fetch(server.url('/missing'))).status, 404);
    assert.equal(server.requests('/doc'), 10);
    assert.equal(server.requests('/missing'), 1);
    server.resetCounts();
    assert.equal(server.requests('/doc'), 0);
    ok('key-server: documents, counters, status/html/invalid-json/oversized/hang failures, recover');
  } finally {
    await server.close();
  }
}

type ShapeCheck = (claims: Record<string, unknown>, header: Record<string, unknown>, fixture: ProviderFixture) => void;

const shapes: Record<keyof typeof PROVIDER_FIXTURES, ShapeCheck> = {
  hanko: (claims) => {
    assert.ok(Array.isArray(claims['aud']), 'aud is an array');
    assert.equal(typeof claims['session_id'], 'string');
  },
  authgear: (claims, _header, fixture) => {
    assert.deepEqual(claims['aud'], [fixture.issuer]);
    assert.equal(typeof claims['client_id'], 'string');
  },
  logto: (claims, header) => {
    assert.equal(header['typ'], 'at+jwt');
    assert.equal(typeof claims['scope'], 'string');
  },
  workos: (claims) => {
    assert.equal(claims['aud'], undefined);
    assert.equal(claims['role'], 'admin');
    assert.ok(Array.isArray(claims['roles']) && Array.isArray(claims['permissions']));
  },
  auth0: (claims, _header, fixture) => {
    assert.ok(fixture.issuer.endsWith('/'));
    assert.ok(Array.isArray(claims[AUTH0_ROLES_CLAIM]) && Array.isArray(claims['permissions']));
  },
  keycloak: (claims) => {
    assert.equal(claims['typ'], 'Bearer');
    const resourceAccess = claims['resource_access'] as Record<string, { roles: string[] }>;
    assert.ok(resourceAccess[KEYCLOAK_API_CLIENT]?.roles.length);
    assert.ok((claims['realm_access'] as { roles: string[] }).roles.includes('admin'));
  },
  okta: (claims, header) => {
    assert.equal(header['typ'], undefined);
    assert.ok(Array.isArray(claims['scp']) && Array.isArray(claims['groups']));
  },
  cognito: (claims, header) => {
    assert.equal(header['typ'], undefined);
    assert.equal(claims['token_use'], 'access');
    assert.equal(claims['aud'], undefined);
    assert.ok(Array.isArray(claims['cognito:groups']));
  },
};

async function checkFixtures(): Promise<void> {
  const names = Object.keys(PROVIDER_FIXTURES) as (keyof typeof PROVIDER_FIXTURES)[];
  const fixtures = await Promise.all(names.map((name) => PROVIDER_FIXTURES[name]()));
  try {
    for (const fixture of fixtures) {
      const jwksUri = await resolveJwksUri(fixture);
      const token = await fixture.mint();
      const decoded = decodeJwt(token);
      const { payload, protectedHeader } = await verify(token, jwksUri, {
        issuer: fixture.issuer,
        algorithms: [fixture.alg],
        ...(decoded.aud === undefined ? {} : { audience: fixture.audience }),
      });
      shapes[fixture.provider](payload, { ...protectedHeader }, fixture);
      assert.equal(protectedHeader.alg, fixture.alg);

      const stale = token;
      await fixture.rotateKeys();
      await assert.rejects(verify(stale, jwksUri, {}), errors.JWKSNoMatchingKey);
      await verify(await fixture.mint(), jwksUri, { issuer: fixture.issuer });
      ok(`${fixture.provider}: ${fixture.alg} kid=${protectedHeader.kid} iss=${fixture.issuer} jwks=${new URL(jwksUri).pathname}${fixture.discoveryUri ? ' (via discovery)' : ''}; rotateKeys retires the old kid`);
    }

    const byName = Object.fromEntries(fixtures.map((fixture) => [fixture.provider, fixture]));
    const hanko = byName['hanko']!;
    const noIss = await hanko.mint({ iss: undefined });
    assert.equal(decodeJwt(noIss).iss, undefined);
    await verify(noIss, hanko.jwksUri, { audience: hanko.audience });
    ok('hanko: mint({ iss: undefined }) yields a token without iss');

    const workos = byName['workos']!;
    await verify(await workos.mint({ aud: workos.audience }), workos.jwksUri, { audience: workos.audience });
    ok('workos: mint({ aud }) adds the client id as audience');

    const header = decodeProtectedHeader(await byName['okta']!.mint({}, { header: { kid: undefined, typ: 'JWT' } }));
    assert.deepEqual(header, { alg: 'RS256', typ: 'JWT' });
    ok('header overrides: remove kid, add typ');

    const expired = await byName['auth0']!.mint({ exp: Math.floor(Date.now() / 1000) - 10 });
    await assert.rejects(verify(expired, byName['auth0']!.jwksUri, {}), errors.JWTExpired);
    ok('claim overrides: an expired auth0 token fails with JWTExpired');
  } finally {
    await Promise.all(fixtures.map((fixture) => fixture.close()));
  }

  const cognito = await startCognitoFixture();
  try {
    const access = await cognito.mint();
    const id = await cognito.mint({}, { tokenUse: 'id' });
    assert.notEqual(decodeProtectedHeader(access).kid, decodeProtectedHeader(id).kid, 'ID and access tokens use different keys');
    const { payload } = await verify(id, cognito.jwksUri, { issuer: cognito.issuer, audience: cognito.audience });
    assert.equal(payload['token_use'], 'id');
    assert.equal(payload['client_id'], undefined);
    const withAud = await cognito.mint({ aud: cognito.audience });
    await verify(withAud, cognito.jwksUri, { audience: cognito.audience });
    ok('cognito: id token (aud = client id, own kid) and access token with an aud override');
  } finally {
    await cognito.close();
  }
}

async function checkOidcProvider(): Promise<void> {
  const op = await startOidcProvider();
  try {
    const discovery = await getJson(`${op.issuer}/.well-known/openid-configuration`);
    assert.equal(discovery['issuer'], op.issuer);
    assert.equal(discovery['jwks_uri'], op.jwksUri);
    assert.equal(op.discoveryRequests(), 1);

    const jwks = createRemoteJWKSet(new URL(op.jwksUri));
    const tokens = new Map<string, string>();
    for (const alg of OIDC_ALGORITHMS) {
      const token = await op.mintAccessToken({ alg });
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: op.issuer,
        audience: OIDC_AUDIENCE,
        algorithms: [alg],
        typ: 'at+jwt',
        requiredClaims: ['exp'],
      });
      assert.equal(payload['scope'], OIDC_SCOPES);
      tokens.set(alg, token);
      ok(`oidc-provider: ${alg} access token kid=${protectedHeader.kid} verifies (typ at+jwt, aud ${OIDC_AUDIENCE})`);
    }
    assert.equal(op.jwksRequests(), 1, 'one JWKS fetch serves every kid');
    const narrow = decodeJwt(await op.mintAccessToken({ alg: 'ES256', scope: 'reports:read' }));
    assert.equal(narrow['scope'], 'reports:read');
    const unknown = decodeJwt(await op.mintAccessToken({ alg: 'ES256', scope: 'admin:everything' }));
    assert.equal(unknown['scope'], undefined);
    ok('oidc-provider: scope narrowing works; unknown scopes are dropped, leaving no scope claim');

    await op.rotateKeys();
    const rotated = createRemoteJWKSet(new URL(op.jwksUri));
    await assert.rejects(jwtVerify(tokens.get('RS256')!, rotated), errors.JWKSNoMatchingKey);
    const fresh = await op.mintAccessToken({ alg: 'RS256' });
    await jwtVerify(fresh, rotated, { issuer: op.issuer, audience: OIDC_AUDIENCE });
    const published = (await getJson(op.jwksUri))['keys'] as { kid: string }[];
    assert.equal(published.length, OIDC_ALGORITHMS.length);
    for (const token of tokens.values()) {
      assert.ok(!published.some((key) => key.kid === decodeProtectedHeader(token).kid), 'old kid retired');
    }
    ok('oidc-provider: rotateKeys() publishes new kids only; old tokens fail with JWKSNoMatchingKey');

    await op.stop();
    await assert.rejects(fetch(op.jwksUri), TypeError);
    await op.restart();
    await jwtVerify(fresh, createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: OIDC_AUDIENCE });
    await jwtVerify(await op.mintAccessToken({ alg: 'EdDSA' }), rotated, { issuer: op.issuer });
    ok(`oidc-provider: stop() refuses connections; restart() serves ${op.issuer} again with the same keys`);
  } finally {
    await op.stop();
  }
}

await checkKeyServer();
await checkFixtures();
await checkOidcProvider();
console.log(`OK all checks in ${Math.round(performance.now() - started)} ms`);
