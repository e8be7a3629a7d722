import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startKeyServer, type KeyServer } from './key-server.ts';

export const TEST_AUDIENCE = 'https://api.claimgate.test';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Generates a signing key whose public JWK carries `kid`, `alg` and `use`. */
export async function createTestKey(alg = 'RS256', kid = `${alg.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface MintOptions {
  /** Signs with this key instead of the issuer's first one. */
  readonly key?: TestKey;
  /** Protected header fields merged over `{ alg, kid, typ: 'JWT' }`. */
  readonly header?: Record<string, unknown>;
  /** Seconds until expiry (negative: already expired). Default 600. */
  readonly ttl?: number;
}

export interface TestIssuer {
  /** The `iss` of its tokens: the key server's origin. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly keyServer: KeyServer;
  readonly keys: TestKey[];
  /** How many times the JWKS was requested. */
  jwksRequests(): number;
  /** Publishes exactly these keys from the next fetch on. */
  publish(keys: readonly TestKey[]): void;
  /**
   * Mints a token: iss, aud, sub, iat, exp, roles and scope by default;
   * `claims` override them (`undefined` removes a claim).
   */
  mint(claims?: Record<string, unknown>, options?: MintOptions): Promise<string>;
  /** Env variables that point claimgate at this issuer. */
  env(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

/** A real JWKS endpoint on 127.0.0.1 with real keys, and a minting function. */
export async function startTestIssuer(options: { algs?: readonly string[]; discovery?: boolean } = {}): Promise<TestIssuer> {
  const keys = await Promise.all((options.algs ?? ['RS256']).map((alg) => createTestKey(alg)));
  const keyServer = await startKeyServer({ [JWKS_PATH]: { keys: keys.map((key) => key.publicJwk) } });
  const issuer = keyServer.origin;
  const jwksUri = keyServer.url(JWKS_PATH);
  if (options.discovery) keyServer.set('/.well-known/openid-configuration', { issuer, jwks_uri: jwksUri });
  return {
    issuer,
    jwksUri,
    keyServer,
    keys,
    jwksRequests: () => keyServer.requests(JWKS_PATH),
    publish: (next) => keyServer.set(JWKS_PATH, { keys: next.map((key) => key.publicJwk) }),
    mint: (claims = {}, mintOptions = {}) => {
      const key = mintOptions.key ?? keys[0]!;
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: TEST_AUDIENCE,
        sub: 'alice',
        iat: now,
        exp: now + (mintOptions.ttl ?? 600),
        roles: ['reader'],
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...mintOptions.header } as never)
        .sign(key.privateKey);
    },
    env: (extra = {}) => ({
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      ...(options.discovery ? {} : { AUTH_JWKS_URI: jwksUri }),
      ...extra,
    }),
    close: () => keyServer.close(),
  };
}
