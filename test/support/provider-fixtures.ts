import { randomBytes, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startKeyServer, type KeyServer } from './key-server.ts';

/**
 * Claims merged over a fixture's defaults. A key set to `undefined` removes
 * that claim, e.g. `mint({ iss: undefined })` or `mint({ exp: undefined })`.
 */
export type ClaimOverrides = Readonly<Record<string, unknown>>;

export interface MintOptions {
  /** Header parameters merged over the provider's (`kid`, `typ`); `undefined` removes one. `alg` cannot change. */
  readonly header?: Readonly<Record<string, unknown>>;
}

export interface ProviderFixture<Options extends MintOptions = MintOptions> {
  readonly provider: ProviderName;
  /** The `iss` its tokens carry (Auth0's keeps the trailing slash). */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Present for providers that publish an OpenID discovery document. */
  readonly discoveryUri?: string;
  /** The audience an API configured for this provider expects (see each fixture for where it appears). */
  readonly audience: string;
  readonly alg: 'RS256' | 'ES384';
  readonly keyServer: KeyServer;
  /** Signs a token of this provider's shape with its current key. */
  mint(overrides?: ClaimOverrides, options?: Options): Promise<string>;
  /** Replaces the signing key(s) with new ones (new kids); the JWKS then lists only the new keys. */
  rotateKeys(): Promise<void>;
  close(): Promise<void>;
}

export type ProviderName = 'hanko' | 'authgear' | 'logto' | 'workos' | 'auth0' | 'keycloak' | 'okta' | 'cognito';

/** The cookie Hanko's frontend SDK stores the session token in. */
export const HANKO_COOKIE_NAME = 'hanko';
/** The app address Hanko puts in `aud` (Hanko Cloud: the project's app URL). */
export const HANKO_AUDIENCE = 'https://app.claimgate.test';
/** The API resource indicator registered in Logto; its tokens' `aud`. */
export const LOGTO_RESOURCE = 'https://api.claimgate.test';
export const WORKOS_CLIENT_ID = 'client_01JCLAIMGATE0000000000000';
/** The Auth0 API identifier (`audience` of the authorization request). */
export const AUTH0_AUDIENCE = 'https://api.claimgate.test';
/** The namespaced custom claim an Auth0 Action writes the user's roles to. */
export const AUTH0_ROLES_CLAIM = 'https://claimgate.test/roles';
export const KEYCLOAK_REALM = 'claimgate';
/** The Keycloak client that represents the API: an audience mapper adds it to `aud`, its roles sit under `resource_access`. */
export const KEYCLOAK_API_CLIENT = 'claimgate-api';
/** The Okta default custom authorization server's audience. */
export const OKTA_AUDIENCE = 'api://default';
export const COGNITO_USER_POOL_ID = 'us-east-1_ClaimGate1';
/** The Cognito app client id: `client_id` of access tokens, `aud` of ID tokens. */
export const COGNITO_CLIENT_ID = '3n4b5urk1ft4fl3mg5e62d9ado';

const HOUR = 3600;

interface FixtureSpec {
  readonly provider: ProviderName;
  readonly alg: 'RS256' | 'ES384';
  /** Path of the JWKS on the key server. */
  readonly jwksPath: string;
  /** Path of the discovery document, for providers that serve one. */
  readonly discoveryPath?: string;
  issuer(origin: string): string;
  audience(issuer: string): string;
  /** How many signing keys the JWKS lists (Cognito signs ID and access tokens with different keys). */
  readonly keyCount?: number;
  /** The provider's kid format. */
  kid?(publicJwk: JWK): string | Promise<string>;
  /** `typ` header, for providers that set one. */
  readonly typ?: string;
  /** Extra discovery fields (endpoints) at the provider's real paths. */
  discovery?(issuer: string): Record<string, unknown>;
  /** The default claims of a freshly minted token, and which key signs it. */
  claims(context: { issuer: string; now: number }, options: Record<string, unknown>): { claims: Record<string, unknown>; keyIndex?: number };
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function startFixture<Options extends MintOptions>(spec: FixtureSpec): Promise<ProviderFixture<Options>> {
  const keyServer = await startKeyServer();
  const issuer = spec.issuer(keyServer.origin);
  let keys: readonly SigningKey[] = [];

  const rotateKeys = async (): Promise<void> => {
    keys = await Promise.all(
      Array.from({ length: spec.keyCount ?? 1 }, async () => {
        const { privateKey, publicKey } = await generateKeyPair(spec.alg, { extractable: true });
        const jwk = await exportJWK(publicKey);
        const kid = await (spec.kid ?? calculateJwkThumbprint)(jwk);
        return { kid, privateKey, publicJwk: { ...jwk, kid, alg: spec.alg, use: 'sig' } };
      }),
    );
    keyServer.set(spec.jwksPath, { keys: keys.map((key) => key.publicJwk) });
  };
  await rotateKeys();

  if (spec.discoveryPath !== undefined) {
    keyServer.set(spec.discoveryPath, {
      issuer,
      jwks_uri: keyServer.url(spec.jwksPath),
      ...spec.discovery?.(issuer),
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [spec.alg],
    });
  }

  return {
    provider: spec.provider,
    issuer,
    jwksUri: keyServer.url(spec.jwksPath),
    ...(spec.discoveryPath === undefined ? {} : { discoveryUri: keyServer.url(spec.discoveryPath) }),
    audience: spec.audience(issuer),
    alg: spec.alg,
    keyServer,
    async mint(overrides = {}, options) {
      const now = Math.floor(Date.now() / 1000);
      const { header = {}, ...specific } = (options ?? {}) as MintOptions & Record<string, unknown>;
      const { claims, keyIndex = 0 } = spec.claims({ issuer, now }, specific);
      const key = keys[keyIndex];
      if (key === undefined) throw new TypeError(`The ${spec.provider} fixture has no signing key ${keyIndex}.`);
      const protectedHeader = withoutUndefined({ kid: key.kid, typ: spec.typ, ...header, alg: spec.alg });
      return new SignJWT(withoutUndefined({ ...claims, ...overrides }))
        .setProtectedHeader(protectedHeader as { alg: string })
        .sign(key.privateKey);
    },
    rotateKeys,
    close: () => keyServer.close(),
  };
}

/**
 * Hanko session token: RS256, `aud` an array holding the app URL, `email`
 * object, `session_id`; sent in the `hanko` cookie or as a Bearer token.
 * `iss` only when the project configures an issuer: omit with `mint({ iss: undefined })`.
 * Source: docs.hanko.io/guides/session-management, /guides/users/jwt-content, Public API `GET /.well-known/jwks.json`.
 */
export function startHankoFixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'hanko',
    alg: 'RS256',
    typ: 'JWT',
    jwksPath: '/.well-known/jwks.json',
    issuer: (origin) => origin,
    audience: () => HANKO_AUDIENCE,
    kid: () => randomUUID(),
    claims: ({ issuer, now }) => ({
      claims: {
        aud: [HANKO_AUDIENCE],
        iss: issuer,
        sub: randomUUID(),
        session_id: randomUUID(),
        email: { address: 'ada@claimgate.test', is_primary: true, is_verified: true },
        iat: now,
        exp: now + 12 * HOUR,
      },
    }),
  });
}

/**
 * Authgear JWT access token: RS256, `iss` and `aud` (an array) are the
 * project endpoint, `client_id`, `https://authgear.com/claims/user/*` flags.
 * Discovery at `/.well-known/openid-configuration`, JWKS at `/oauth2/jwks`.
 * Source: docs.authgear.com/reference/tokens/jwt-access-token and get-started/backend-api/jwt.
 */
export function startAuthgearFixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'authgear',
    alg: 'RS256',
    typ: 'JWT',
    jwksPath: '/oauth2/jwks',
    discoveryPath: '/.well-known/openid-configuration',
    issuer: (origin) => origin,
    audience: (issuer) => issuer,
    kid: () => randomUUID(),
    discovery: (issuer) => ({
      authorization_endpoint: `${issuer}/oauth2/authorize`,
      token_endpoint: `${issuer}/oauth2/token`,
      userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    }),
    claims: ({ issuer, now }) => ({
      claims: {
        aud: [issuer],
        client_id: '497d841ea22f33d3',
        iss: issuer,
        sub: randomUUID(),
        jti: randomBytes(32).toString('hex'),
        'https://authgear.com/claims/user/can_reauthenticate': true,
        'https://authgear.com/claims/user/is_anonymous': false,
        'https://authgear.com/claims/user/is_verified': true,
        iat: now,
        exp: now + HOUR / 2,
      },
    }),
  });
}

/**
 * Logto access token for an API resource: ES384 (Logto's default signing key),
 * `typ: at+jwt` (Logto runs oidc-provider), issuer `<base>/oidc`, `aud` the
 * resource indicator, `scope` a space-separated string, `client_id`.
 * Source: docs.logto.io/authorization/validate-access-tokens (JWKS_URI `/oidc/jwks`, ISSUER `/oidc`).
 */
export function startLogtoFixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'logto',
    alg: 'ES384',
    typ: 'at+jwt',
    jwksPath: '/oidc/jwks',
    discoveryPath: '/oidc/.well-known/openid-configuration',
    issuer: (origin) => `${origin}/oidc`,
    audience: () => LOGTO_RESOURCE,
    kid: () => randomBytes(32).toString('base64url').slice(0, 43),
    discovery: (issuer) => ({ authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` }),
    claims: ({ issuer, now }) => ({
      claims: {
        jti: randomBytes(16).toString('base64url'),
        sub: randomBytes(6).toString('hex'),
        iat: now,
        exp: now + HOUR,
        scope: 'reports:read documents:write',
        client_id: 'lgt7c1aimgate0app',
        iss: issuer,
        aud: LOGTO_RESOURCE,
      },
    }),
  });
}

/**
 * WorkOS AuthKit access token: RS256, issuer `<base>/user_management/<client_id>`,
 * JWKS at `/sso/jwks/<client_id>`, `org_id`, `role`, `roles`, `permissions`,
 * `sid`; no `aud` (add one with `mint({ aud: fixture.audience })`, the client id).
 * Source: workos.com/docs/reference/authkit/session-tokens (claims, getJwksUrl); issuer per Convex's WorkOS config.
 */
export function startWorkosFixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'workos',
    alg: 'RS256',
    typ: 'JWT',
    jwksPath: `/sso/jwks/${WORKOS_CLIENT_ID}`,
    issuer: (origin) => `${origin}/user_management/${WORKOS_CLIENT_ID}`,
    audience: () => WORKOS_CLIENT_ID,
    kid: () => `sso_oidc_key_pair_${ulid()}`,
    claims: ({ issuer, now }) => ({
      claims: {
        iss: issuer,
        sub: `user_${ulid()}`,
        sid: `session_${ulid()}`,
        jti: ulid(),
        org_id: `org_${ulid()}`,
        role: 'admin',
        roles: ['admin'],
        permissions: ['reports:read', 'documents:write'],
        iat: now,
        exp: now + 5 * 60,
      },
    }),
  });
}

/**
 * Auth0 access token (Auth0 profile): RS256, `typ: JWT`, `iss` with a trailing
 * slash, `aud` [API identifier, `<issuer>userinfo`], `azp`, `scope` string,
 * RBAC `permissions` array, roles in a namespaced custom claim.
 * Source: auth0.com/docs/secure/tokens/access-tokens/access-token-profiles; enable-role-based-access-control-for-apis; create-custom-claims.
 */
export function startAuth0Fixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'auth0',
    alg: 'RS256',
    typ: 'JWT',
    jwksPath: '/.well-known/jwks.json',
    discoveryPath: '/.well-known/openid-configuration',
    issuer: (origin) => `${origin}/`,
    audience: () => AUTH0_AUDIENCE,
    kid: () => randomBytes(16).toString('base64url'),
    discovery: (issuer) => ({
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}oauth/token`,
      userinfo_endpoint: `${issuer}userinfo`,
    }),
    claims: ({ issuer, now }) => ({
      claims: {
        [AUTH0_ROLES_CLAIM]: ['admin'],
        iss: issuer,
        sub: `auth0|${randomBytes(12).toString('hex')}`,
        aud: [AUTH0_AUDIENCE, `${issuer}userinfo`],
        iat: now,
        exp: now + 24 * HOUR,
        scope: 'openid profile email reports:read documents:write',
        azp: 'q8Xx1claimgateSpaClient0000000000',
        permissions: ['reports:read', 'documents:write'],
      },
    }),
  });
}

/**
 * Keycloak access token: RS256, `typ: JWT` header and `typ: "Bearer"` claim,
 * issuer `<base>/realms/<realm>`, certs at `/realms/<realm>/protocol/openid-connect/certs`,
 * `azp` (the client that asked), `realm_access.roles`, `resource_access.<client>.roles`,
 * `aud` [API client (audience mapper), "account"].
 * Source: Keycloak "Securing applications: OIDC" endpoints (/realms/{realm}/...); token shape as decoded in Keycloak service-account walkthroughs.
 */
export function startKeycloakFixture(): Promise<ProviderFixture> {
  const realm = `/realms/${KEYCLOAK_REALM}`;
  return startFixture({
    provider: 'keycloak',
    alg: 'RS256',
    typ: 'JWT',
    jwksPath: `${realm}/protocol/openid-connect/certs`,
    discoveryPath: `${realm}/.well-known/openid-configuration`,
    issuer: (origin) => `${origin}${realm}`,
    audience: () => KEYCLOAK_API_CLIENT,
    kid: () => randomBytes(32).toString('base64url').slice(0, 43),
    discovery: (issuer) => ({
      authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
    }),
    claims: ({ issuer, now }) => ({
      claims: {
        exp: now + 5 * 60,
        iat: now,
        jti: `onrtac:${randomUUID()}`,
        iss: issuer,
        aud: [KEYCLOAK_API_CLIENT, 'account'],
        sub: randomUUID(),
        typ: 'Bearer',
        azp: 'claimgate-web',
        sid: randomUUID(),
        acr: '1',
        'allowed-origins': ['https://app.claimgate.test'],
        realm_access: { roles: [`default-roles-${KEYCLOAK_REALM}`, 'offline_access', 'uma_authorization', 'admin'] },
        resource_access: {
          [KEYCLOAK_API_CLIENT]: { roles: ['reports-reader', 'documents-writer'] },
          account: { roles: ['manage-account', 'view-profile'] },
        },
        scope: 'openid profile email',
        email_verified: true,
        preferred_username: 'ada',
      },
    }),
  });
}

/**
 * Okta access token from the `default` custom authorization server: RS256,
 * header without `typ`, issuer `<base>/oauth2/default`, keys at
 * `/oauth2/default/v1/keys`, `aud` "api://default", `scp` array, `cid`, `uid`,
 * `ver`, and a `groups` custom claim.
 * Source: developer.okta.com/docs/guides/customize-tokens-groups-claim; decoded Okta access token (header {kid, alg}).
 */
export function startOktaFixture(): Promise<ProviderFixture> {
  return startFixture({
    provider: 'okta',
    alg: 'RS256',
    jwksPath: '/oauth2/default/v1/keys',
    discoveryPath: '/oauth2/default/.well-known/openid-configuration',
    issuer: (origin) => `${origin}/oauth2/default`,
    audience: () => OKTA_AUDIENCE,
    kid: () => randomBytes(32).toString('base64url').slice(0, 43),
    discovery: (issuer) => ({ authorization_endpoint: `${issuer}/v1/authorize`, token_endpoint: `${issuer}/v1/token` }),
    claims: ({ issuer, now }) => ({
      claims: {
        ver: 1,
        jti: `AT.${randomBytes(32).toString('base64url')}`,
        iss: issuer,
        aud: OKTA_AUDIENCE,
        iat: now,
        exp: now + HOUR,
        cid: '0oa1claimgate0000x5d7',
        uid: '00u1claimgate0000x5d7',
        scp: ['openid', 'reports:read', 'documents:write'],
        auth_time: now - 60,
        sub: 'ada@claimgate.test',
        groups: ['Everyone', 'Admins'],
      },
    }),
  });
}

export interface CognitoMintOptions extends MintOptions {
  /** "access" (default): `client_id`, `scope`, `username`, no `aud`. "id": `aud` = client id, `cognito:username`, `email`. */
  readonly tokenUse?: 'access' | 'id';
}

/**
 * Amazon Cognito user-pool token: RS256, header {kid, alg} (no `typ`),
 * issuer `<base>/<userPoolId>`, JWKS at `/<userPoolId>/.well-known/jwks.json`
 * with two keys (ID and access tokens are signed with different ones),
 * `cognito:groups`, `token_use`. Access tokens carry `client_id` and no `aud`;
 * to test an `aud` check on them, `mint({ aud: fixture.audience })`.
 * Source: docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html and -id-token.html.
 */
export function startCognitoFixture(): Promise<ProviderFixture<CognitoMintOptions>> {
  return startFixture<CognitoMintOptions>({
    provider: 'cognito',
    alg: 'RS256',
    jwksPath: `/${COGNITO_USER_POOL_ID}/.well-known/jwks.json`,
    discoveryPath: `/${COGNITO_USER_POOL_ID}/.well-known/openid-configuration`,
    issuer: (origin) => `${origin}/${COGNITO_USER_POOL_ID}`,
    audience: () => COGNITO_CLIENT_ID,
    keyCount: 2,
    // Cognito kids are standard base64 (with `+`, `/` and `=`), unlike most providers'.
    kid: () => randomBytes(32).toString('base64'),
    claims: ({ issuer, now }, { tokenUse = 'access' }) => {
      const common = {
        sub: randomUUID(),
        'cognito:groups': ['admin', 'reports'],
        iss: issuer,
        origin_jti: randomUUID(),
        event_id: randomUUID(),
        token_use: tokenUse,
        auth_time: now - 60,
        iat: now,
        exp: now + HOUR,
        jti: randomUUID(),
      };
      if (tokenUse === 'id') {
        return {
          keyIndex: 1,
          claims: { ...common, aud: COGNITO_CLIENT_ID, 'cognito:username': 'ada', email: 'ada@claimgate.test', email_verified: true },
        };
      }
      return { keyIndex: 0, claims: { ...common, client_id: COGNITO_CLIENT_ID, scope: 'aws.cognito.signin.user.admin', username: 'ada' } };
    },
  });
}

/** Every fixture by provider name, for tests that run once per provider. */
export const PROVIDER_FIXTURES = {
  hanko: startHankoFixture,
  authgear: startAuthgearFixture,
  logto: startLogtoFixture,
  workos: startWorkosFixture,
  auth0: startAuth0Fixture,
  keycloak: startKeycloakFixture,
  okta: startOktaFixture,
  cognito: startCognitoFixture,
} as const satisfies Record<ProviderName, () => Promise<ProviderFixture<never>>>;

function withoutUndefined(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** A WorkOS-style id: 26 Crockford base32 characters (a ULID). */
function ulid(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return Array.from(randomBytes(26), (byte) => alphabet[byte % 32]).join('');
}
