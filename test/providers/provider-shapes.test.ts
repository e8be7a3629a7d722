/**
 * One suite per identity provider: its fixture serves keys at that
 * provider's real paths and mints tokens of exactly its shape, and the real
 * server is configured with the README recipe's variables (see `recipes`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AUTH0_AUDIENCE,
  AUTH0_ROLES_CLAIM,
  COGNITO_CLIENT_ID,
  HANKO_AUDIENCE,
  HANKO_COOKIE_NAME,
  KEYCLOAK_API_CLIENT,
  LOGTO_RESOURCE,
  OKTA_AUDIENCE,
  WORKOS_CLIENT_ID,
  startAuth0Fixture,
  startAuthgearFixture,
  startCognitoFixture,
  startHankoFixture,
  startKeycloakFixture,
  startLogtoFixture,
  startOktaFixture,
  startWorkosFixture,
  type CognitoMintOptions,
  type ProviderFixture,
} from '../support/provider-fixtures.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';

/**
 * The README recipes, with the provider's address replaced by the fixture's.
 * Keep each in step with its subsection in the README.
 */
const recipes = {
  hanko: (f: { readonly issuer: string }) => ({
    AUTH_ISSUER: f.issuer,
    AUTH_JWKS_URI: `${f.issuer}/.well-known/jwks.json`,
    AUTH_AUDIENCE: HANKO_AUDIENCE,
    AUTH_COOKIE: HANKO_COOKIE_NAME,
    CORS_ORIGINS: HANKO_AUDIENCE,
  }),
  authgear: (f: { readonly issuer: string }) => ({ AUTH_ISSUER: f.issuer, AUTH_AUDIENCE: f.issuer }),
  logto: (f: { readonly issuer: string }) => ({
    AUTH_ISSUER: f.issuer,
    AUTH_AUDIENCE: LOGTO_RESOURCE,
    AUTH_ALGORITHMS: 'ES384',
    AUTH_TOKEN_TYPE: 'at+jwt',
  }),
  workos: (f: { readonly issuer: string }) => ({
    AUTH_ISSUER: f.issuer,
    AUTH_JWKS_URI: f.issuer.replace(`/user_management/${WORKOS_CLIENT_ID}`, `/sso/jwks/${WORKOS_CLIENT_ID}`),
    AUTH_AUDIENCE: WORKOS_CLIENT_ID,
    AUTH_ALLOW_MISSING_AUDIENCE: 'true',
    AUTH_SCOPES_CLAIM: 'permissions',
  }),
  auth0: (f: { readonly issuer: string }) => ({ AUTH_ISSUER: f.issuer, AUTH_AUDIENCE: AUTH0_AUDIENCE, AUTH_ROLES_CLAIM: AUTH0_ROLES_CLAIM }),
  keycloak: (f: { readonly issuer: string }) => ({ AUTH_ISSUER: f.issuer, AUTH_AUDIENCE: KEYCLOAK_API_CLIENT, AUTH_ROLES_CLAIM: '/realm_access/roles' }),
  okta: (f: { readonly issuer: string }) => ({ AUTH_ISSUER: f.issuer, AUTH_AUDIENCE: OKTA_AUDIENCE, AUTH_ROLES_CLAIM: 'groups' }),
  cognito: (f: { readonly issuer: string }) => ({
    AUTH_ISSUER: f.issuer,
    AUTH_AUDIENCE: COGNITO_CLIENT_ID,
    AUTH_ALLOW_MISSING_AUDIENCE: 'true',
    AUTH_TOKEN_USE: 'access',
    AUTH_ROLES_CLAIM: 'cognito:groups',
  }),
} satisfies Record<string, (fixture: { readonly issuer: string }) => Record<string, string>>;

const ME = '{ me { sub issuer roles scopes } }';
const ADMIN = '{ me { roles } adminReport }';
const SCOPED = '{ me { scopes } scopedReport }';

/** A 200 whose body is exactly `{ data }`. */
function allowed(response: GraphQLResponse, data: Record<string, unknown>): void {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
  assert.equal(response.headers.get('www-authenticate'), null);
  assert.deepEqual(response.body, { data });
}

/** A 200 in which `field` of `query` (written once, on one line) is null with a FORBIDDEN error. */
function fieldForbidden(response: GraphQLResponse, query: string, field: string, requirement: string, data: Record<string, unknown>): void {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('www-authenticate'), null);
  assert.deepEqual(response.body, {
    data: { ...data, [field]: null },
    errors: [
      {
        message: `Forbidden: requires ${requirement}.`,
        locations: [{ line: 1, column: query.indexOf(field) + 1 }],
        path: [field],
        extensions: { code: 'FORBIDDEN' },
      },
    ],
  });
}

/** A request-level 401 with the RFC 6750 challenge; nothing executed. */
function refused(response: GraphQLResponse, description: string): void {
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="${description}"`);
  assert.deepEqual(response.body, { errors: [{ message: `Unauthenticated: ${description}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
}

function payload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function warnedAbout(api: TestApi, option: string): boolean {
  return api.logs.some((line) => line.level === 'warn' && line.event === 'config.insecure_opt_in' && line.fields['option'] === option);
}

/** Starts what a suite needs and closes all of it afterwards, last started first. */
function resources() {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
  });
  return {
    async fixture<F extends ProviderFixture<never>>(start: () => Promise<F>): Promise<F> {
      const fixture = await start();
      closers.push(() => fixture.close());
      return fixture;
    },
    async api(env: Record<string, string>): Promise<TestApi> {
      const api = await startTestApi(env);
      closers.push(() => api.close());
      return api;
    },
  };
}

describe('Hanko: cookie or Bearer, JWKS at /.well-known/jwks.json, aud an array, iss only when configured', () => {
  const use = resources();
  let hanko: ProviderFixture;
  let api: TestApi;
  let optedIn: TestApi;

  before(async () => {
    hanko = await use.fixture(startHankoFixture);
    api = await use.api(recipes.hanko(hanko));
    optedIn = await use.api({ ...recipes.hanko(hanko), AUTH_ALLOW_MISSING_ISSUER: 'true' });
  });

  test('the session token is accepted in the hanko cookie (POST with a JSON body) and as a Bearer token', async () => {
    const token = await hanko.mint();
    assert.deepEqual(payload(token)['aud'], [HANKO_AUDIENCE]);
    const expected = { me: { sub: payload(token)['sub'], issuer: hanko.issuer, roles: [], scopes: [] } };
    allowed(await graphql(api.graphqlUrl, { query: ME, headers: { cookie: `${HANKO_COOKIE_NAME}=${token}` } }), expected);
    allowed(await graphql(api.graphqlUrl, { query: ME, token }), expected);
    assert.equal(hanko.keyServer.requests('/.well-known/jwks.json'), 2, 'one fetch per server, no discovery');
    assert.equal(hanko.keyServer.requests('/.well-known/openid-configuration'), 0);

    // A GET is what a cross-site page can send with the cookie: the cookie does not count there.
    const forgeable = await fetch(`${api.graphqlUrl}?query=${encodeURIComponent(ME)}`, {
      headers: { cookie: `${HANKO_COOKIE_NAME}=${token}`, accept: 'application/graphql-response+json' },
    });
    assert.equal(forgeable.status, 403);
    assert.deepEqual(((await forgeable.json()) as { errors: { extensions: unknown }[] }).errors.map((e) => e.extensions), [
      { code: 'FORBIDDEN' },
    ]);
  });

  test('a token without iss is refused unless AUTH_ALLOW_MISSING_ISSUER is set, which warns at start-up', async () => {
    const issuerless = await hanko.mint({ iss: undefined });
    assert.equal('iss' in payload(issuerless), false);
    refused(await graphql(api.graphqlUrl, { query: ME, token: issuerless }), 'untrusted issuer');
    assert.equal(warnedAbout(api, 'allowMissingIssuer'), false);

    allowed(await graphql(optedIn.graphqlUrl, { query: ME, token: issuerless }), {
      me: { sub: payload(issuerless)['sub'], issuer: hanko.issuer, roles: [], scopes: [] },
    });
    assert.equal(warnedAbout(optedIn, 'allowMissingIssuer'), true);
  });

  test('the opt-in is bound to the one JWKS: other keys and other issuers are still refused', async () => {
    const other = await use.fixture(startHankoFixture);
    refused(await graphql(optedIn.graphqlUrl, { query: ME, token: await other.mint({ iss: undefined }) }), 'no matching key');
    refused(await graphql(optedIn.graphqlUrl, { query: ME, token: await hanko.mint({ iss: other.issuer }) }), 'untrusted issuer');
    refused(await graphql(optedIn.graphqlUrl, { query: ME, token: await hanko.mint({ iss: undefined, aud: ['https://other.test'] }) }), 'invalid audience');
    assert.equal(other.keyServer.requests('/.well-known/jwks.json'), 0, 'no request to keys that were not configured');
  });
});

describe('Authgear: discovery at /.well-known/openid-configuration, RS256, aud the app base address', () => {
  const use = resources();
  let authgear: ProviderFixture;
  let api: TestApi;

  before(async () => {
    authgear = await use.fixture(startAuthgearFixture);
    api = await use.api(recipes.authgear(authgear));
  });

  test('keys are found through discovery and tokens for this project verify; another audience is refused', async () => {
    assert.equal(authgear.keyServer.requests('/.well-known/openid-configuration'), 1);
    assert.equal(authgear.keyServer.requests('/oauth2/jwks'), 1);
    const token = await authgear.mint();
    assert.deepEqual(payload(token)['aud'], [authgear.issuer]);
    allowed(await graphql(api.graphqlUrl, { query: ME, token }), {
      me: { sub: payload(token)['sub'], issuer: authgear.issuer, roles: [], scopes: [] },
    });
    refused(await graphql(api.graphqlUrl, { query: ME, token: await authgear.mint({ aud: ['https://other-project.authgear.cloud'] }) }), 'invalid audience');
  });
});

describe('Logto: issuer <base>/oidc, JWKS at /oidc/jwks, ES384, aud the API resource, scopes for RBAC', () => {
  const use = resources();
  let logto: ProviderFixture;
  let api: TestApi;

  before(async () => {
    logto = await use.fixture(startLogtoFixture);
    api = await use.api(recipes.logto(logto));
  });

  test('the scope string satisfies @requiresScopes; Logto permissions never become roles', async () => {
    assert.equal(logto.keyServer.requests('/oidc/jwks'), 1);
    const token = await logto.mint();
    allowed(await graphql(api.graphqlUrl, { query: SCOPED, token }), {
      me: { scopes: ['reports:read', 'documents:write'] },
      scopedReport: 'Report: 42 widgets.',
    });
    fieldForbidden(await graphql(api.graphqlUrl, { query: ADMIN, token }), ADMIN, 'adminReport', 'role admin', { me: { roles: [] } });

    const narrow = await logto.mint({ scope: 'documents:write' });
    fieldForbidden(await graphql(api.graphqlUrl, { query: SCOPED, token: narrow }), SCOPED, 'scopedReport', 'scopes reports:read or admin', {
      me: { scopes: ['documents:write'] },
    });
  });

  test('a token that is not an at+jwt access token (an ID token\'s typ: JWT) is refused', async () => {
    refused(await graphql(api.graphqlUrl, { query: ME, token: await logto.mint({}, { header: { typ: 'JWT' } }) }), 'wrong token type');
    refused(await graphql(api.graphqlUrl, { query: ME, token: await logto.mint({ aud: 'https://other-resource.test' }) }), 'invalid audience');
  });
});

describe('WorkOS: RS256, JWKS at /sso/jwks/<client_id>, role/roles/permissions, aud may be missing', () => {
  const use = resources();
  let workos: ProviderFixture;
  let api: TestApi;
  let strict: TestApi;

  before(async () => {
    workos = await use.fixture(startWorkosFixture);
    api = await use.api(recipes.workos(workos));
    const { AUTH_ALLOW_MISSING_AUDIENCE: _optIn, ...withoutOptIn } = recipes.workos(workos);
    strict = await use.api(withoutOptIn);
  });

  test('a token without aud is accepted only with AUTH_ALLOW_MISSING_AUDIENCE, which warns; roles and permissions apply', async () => {
    const token = await workos.mint();
    assert.equal('aud' in payload(token), false);
    refused(await graphql(strict.graphqlUrl, { query: ADMIN, token }), 'required claim missing');
    assert.equal(warnedAbout(strict, 'allowMissingAudience'), false);

    allowed(await graphql(api.graphqlUrl, { query: ADMIN, token }), { me: { roles: ['admin'] }, adminReport: 'All systems nominal.' });
    allowed(await graphql(api.graphqlUrl, { query: SCOPED, token }), {
      me: { scopes: ['reports:read', 'documents:write'] },
      scopedReport: 'Report: 42 widgets.',
    });
    assert.equal(warnedAbout(api, 'allowMissingAudience'), true);
    assert.equal(workos.keyServer.requests(`/sso/jwks/${WORKOS_CLIENT_ID}`), 2);
  });

  test('with the opt-in, a present aud must still match, and the iss must be this client\'s issuer', async () => {
    allowed(await graphql(api.graphqlUrl, { query: ADMIN, token: await workos.mint({ aud: WORKOS_CLIENT_ID }) }), {
      me: { roles: ['admin'] },
      adminReport: 'All systems nominal.',
    });
    refused(await graphql(api.graphqlUrl, { query: ADMIN, token: await workos.mint({ aud: 'client_01JOTHERAPP000000000000000' }) }), 'invalid audience');
    const otherClient = workos.issuer.replace(WORKOS_CLIENT_ID, 'client_01JOTHERAPP000000000000000');
    refused(await graphql(api.graphqlUrl, { query: ADMIN, token: await workos.mint({ iss: otherClient }) }), 'untrusted issuer');
  });
});

describe('Auth0: namespaced roles claim, permissions array, scope string', () => {
  const use = resources();
  let auth0: ProviderFixture;
  let api: TestApi;
  let permissions: TestApi;

  before(async () => {
    auth0 = await use.fixture(startAuth0Fixture);
    api = await use.api(recipes.auth0(auth0));
    permissions = await use.api({ ...recipes.auth0(auth0), AUTH_SCOPES_CLAIM: 'permissions' });
  });

  test('roles come from the namespaced claim only; scopes from the scope string', async () => {
    assert.ok(auth0.issuer.endsWith('/'));
    const token = await auth0.mint();
    allowed(await graphql(api.graphqlUrl, { query: ADMIN, token }), { me: { roles: ['admin'] }, adminReport: 'All systems nominal.' });
    allowed(await graphql(api.graphqlUrl, { query: SCOPED, token }), {
      me: { scopes: ['openid', 'profile', 'email', 'reports:read', 'documents:write'] },
      scopedReport: 'Report: 42 widgets.',
    });
    const plainRoles = await auth0.mint({ [AUTH0_ROLES_CLAIM]: undefined, roles: ['admin'] });
    fieldForbidden(await graphql(api.graphqlUrl, { query: ADMIN, token: plainRoles }), ADMIN, 'adminReport', 'role admin', { me: { roles: [] } });
  });

  test('with AUTH_SCOPES_CLAIM=permissions, the RBAC permissions array is what @requiresScopes reads', async () => {
    const token = await auth0.mint({ scope: 'openid profile', permissions: ['reports:read'] });
    allowed(await graphql(permissions.graphqlUrl, { query: SCOPED, token }), { me: { scopes: ['reports:read'] }, scopedReport: 'Report: 42 widgets.' });
    fieldForbidden(await graphql(api.graphqlUrl, { query: SCOPED, token }), SCOPED, 'scopedReport', 'scopes reports:read or admin', {
      me: { scopes: ['openid', 'profile'] },
    });
  });
});

describe('Keycloak: realm roles at /realm_access/roles, client roles at /resource_access/<client>/roles, azp', () => {
  const use = resources();
  let keycloak: ProviderFixture;
  let realm: TestApi;
  let client: TestApi;

  before(async () => {
    keycloak = await use.fixture(startKeycloakFixture);
    realm = await use.api(recipes.keycloak(keycloak));
    client = await use.api({ ...recipes.keycloak(keycloak), AUTH_ROLES_CLAIM: `/resource_access/${KEYCLOAK_API_CLIENT}/roles` });
  });

  test('realm roles satisfy @hasRole with /realm_access/roles', async () => {
    const token = await keycloak.mint();
    assert.equal(payload(token)['azp'], 'claimgate-web');
    allowed(await graphql(realm.graphqlUrl, { query: ADMIN, token }), {
      me: { roles: ['default-roles-claimgate', 'offline_access', 'uma_authorization', 'admin'] },
      adminReport: 'All systems nominal.',
    });
  });

  test('client roles are read from /resource_access/<client>/roles, and only from there', async () => {
    const token = await keycloak.mint();
    fieldForbidden(await graphql(client.graphqlUrl, { query: ADMIN, token }), ADMIN, 'adminReport', 'role admin', {
      me: { roles: ['reports-reader', 'documents-writer'] },
    });
    const clientAdmin = await keycloak.mint({ resource_access: { [KEYCLOAK_API_CLIENT]: { roles: ['admin'] } } });
    allowed(await graphql(client.graphqlUrl, { query: ADMIN, token: clientAdmin }), { me: { roles: ['admin'] }, adminReport: 'All systems nominal.' });
  });

  test('a token without the audience mapper (aud only "account") is refused', async () => {
    refused(await graphql(realm.graphqlUrl, { query: ME, token: await keycloak.mint({ aud: 'account' }) }), 'invalid audience');
  });
});

describe('Okta: scp array, groups', () => {
  const use = resources();
  let okta: ProviderFixture;
  let api: TestApi;

  before(async () => {
    okta = await use.fixture(startOktaFixture);
    api = await use.api(recipes.okta(okta));
  });

  test('groups are the roles (AUTH_ROLES_CLAIM=groups) and the scp array gives the scopes', async () => {
    const token = await okta.mint();
    assert.deepEqual(payload(token)['scp'], ['openid', 'reports:read', 'documents:write']);
    allowed(await graphql(api.graphqlUrl, { query: SCOPED, token }), {
      me: { scopes: ['openid', 'reports:read', 'documents:write'] },
      scopedReport: 'Report: 42 widgets.',
    });
    fieldForbidden(await graphql(api.graphqlUrl, { query: ADMIN, token }), ADMIN, 'adminReport', 'role admin', { me: { roles: ['Everyone', 'Admins'] } });
    allowed(await graphql(api.graphqlUrl, { query: ADMIN, token: await okta.mint({ groups: ['Everyone', 'admin'] }) }), {
      me: { roles: ['Everyone', 'admin'] },
      adminReport: 'All systems nominal.',
    });
  });
});

describe('Cognito: cognito:groups, token_use must be access', () => {
  const use = resources();
  let cognito: ProviderFixture<CognitoMintOptions>;
  let api: TestApi;
  let withoutTokenUse: TestApi;

  before(async () => {
    cognito = await use.fixture(startCognitoFixture);
    api = await use.api(recipes.cognito(cognito));
    const { AUTH_TOKEN_USE: _tokenUse, ...rest } = recipes.cognito(cognito);
    withoutTokenUse = await use.api(rest);
  });

  test('an access token (no aud) verifies and its cognito:groups are the roles', async () => {
    const token = await cognito.mint();
    assert.equal('aud' in payload(token), false);
    allowed(await graphql(api.graphqlUrl, { query: ADMIN, token }), { me: { roles: ['admin', 'reports'] }, adminReport: 'All systems nominal.' });
    assert.equal(warnedAbout(api, 'allowMissingAudience'), true);
  });

  test('an access token of another app client of the pool is refused: client_id must be an AUTH_AUDIENCE entry', async () => {
    const token = await cognito.mint({ client_id: '7otherappclient0000000000' });
    refused(await graphql(api.graphqlUrl, { query: ADMIN, token }), 'invalid audience');
  });

  test('an ID token of the same pool and app client is refused where an access token is expected', async () => {
    const idToken = await cognito.mint({}, { tokenUse: 'id' });
    assert.equal(payload(idToken)['aud'], COGNITO_CLIENT_ID);
    refused(await graphql(api.graphqlUrl, { query: ADMIN, token: idToken }), 'wrong token type');
    // The control: it is AUTH_TOKEN_USE that refuses it, everything else about the token is valid.
    allowed(await graphql(withoutTokenUse.graphqlUrl, { query: ADMIN, token: idToken }), {
      me: { roles: ['admin', 'reports'] },
      adminReport: 'All systems nominal.',
    });
  });
});
