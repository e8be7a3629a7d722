import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The signing algorithms the provider issues access tokens with, one key each. */
export const OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
export type OidcAlgorithm = (typeof OIDC_ALGORITHMS)[number];

/** The `aud` of every access token the provider issues, whatever the algorithm. */
export const OIDC_AUDIENCE = 'https://api.claimgate.test';
/** Every scope the resource server knows; `mintAccessToken` asks for all of them by default. */
export const OIDC_SCOPES = 'reports:read documents:write';
export const OIDC_CLIENT_ID = 'claimgate-test-client';
export const OIDC_CLIENT_SECRET = 'claimgate-test-client-secret';
/** Access-token lifetime in seconds. */
export const OIDC_ACCESS_TOKEN_TTL = 600;

/**
 * The resource indicator that selects the signing algorithm. oidc-provider
 * fixes the algorithm per resource server, so there is one resource server per
 * algorithm, all sharing the audience `OIDC_AUDIENCE`.
 */
export function oidcResourceIndicator(alg: OidcAlgorithm): string {
  return `${OIDC_AUDIENCE}/${alg.toLowerCase()}`;
}

const DISCOVERY_PATH = '/.well-known/openid-configuration';
const JWKS_PATH = '/jwks';

export interface OidcProviderHandle {
  /** `http://127.0.0.1:<port>`; also the `iss` of its tokens. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Requests to `/.well-known/openid-configuration` since start (across rotations and restarts). */
  discoveryRequests(): number;
  /** Requests to `/jwks` since start (across rotations and restarts). */
  jwksRequests(): number;
  /**
   * Runs a real client-credentials token request and returns the JWT access
   * token (`typ: at+jwt`). `scope` defaults to `OIDC_SCOPES`; the provider
   * silently drops scopes the resource server does not know, and omits the
   * `scope` claim when none is left (e.g. `scope: ''`).
   */
  mintAccessToken(options: { alg: OidcAlgorithm; scope?: string }): Promise<string>;
  /** Replaces every signing key with a fresh one (new kids); the old keys leave `/jwks` at once. */
  rotateKeys(): Promise<void>;
  /** Stops listening and drops open connections; the port is free afterwards. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same keys (stops first if running). */
  restart(): Promise<void>;
}

/**
 * Starts a real OpenID provider (oidc-provider) on 127.0.0.1 that issues JWT
 * access tokens through the client-credentials grant.
 *
 * @example
 * const op = await startOidcProvider();
 * const token = await op.mintAccessToken({ alg: 'ES256' });
 * await jwtVerify(token, createRemoteJWKSet(new URL(op.jwksUri)), { issuer: op.issuer, audience: OIDC_AUDIENCE });
 */
export async function startOidcProvider(): Promise<OidcProviderHandle> {
  const { Provider, InvalidTarget } = await loadOidcProvider();
  let keys = await generateSigningKeys();
  let current: RequestListener = (_request, response) => {
    response.writeHead(503).end();
  };
  let discoveryRequests = 0;
  let jwksRequests = 0;
  const sockets = new Set<Socket>();

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === DISCOVERY_PATH) discoveryRequests += 1;
    if (path === JWKS_PATH) jwksRequests += 1;
    current(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const adapter = createMapAdapter();
  const createHandler = (signingKeys: readonly JWK[]): RequestListener =>
    new Provider(issuer, {
      adapter,
      clients: [
        {
          client_id: OIDC_CLIENT_ID,
          client_secret: OIDC_CLIENT_SECRET,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: signingKeys },
      ttl: { ClientCredentials: OIDC_ACCESS_TOKEN_TTL },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined,
          useGrantedResource: () => false,
          getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
            const alg = OIDC_ALGORITHMS.find((candidate) => oidcResourceIndicator(candidate) === resourceIndicator);
            if (alg === undefined) throw new InvalidTarget();
            return {
              scope: OIDC_SCOPES,
              audience: OIDC_AUDIENCE,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg } },
            };
          },
        },
      },
    }).callback();

  current = createHandler(keys);

  const stop = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    issuer,
    jwksUri: `${issuer}${JWKS_PATH}`,
    discoveryRequests: () => discoveryRequests,
    jwksRequests: () => jwksRequests,
    async mintAccessToken({ alg, scope = OIDC_SCOPES }) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(OIDC_CLIENT_ID)}:${encodeURIComponent(OIDC_CLIENT_SECRET)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: oidcResourceIndicator(alg), scope }),
      });
      const body = (await response.json()) as { access_token?: unknown };
      if (response.status !== 200 || typeof body.access_token !== 'string') {
        throw new Error(`The token endpoint answered HTTP ${response.status}: ${JSON.stringify(body)}`);
      }
      return body.access_token;
    },
    async rotateKeys() {
      keys = await generateSigningKeys();
      current = createHandler(keys);
    },
    stop,
    async restart() {
      await stop();
      await listen(server, port);
    },
  };
}

interface OidcProviderModule {
  readonly Provider: new (issuer: string, configuration: object) => { callback(): RequestListener };
  readonly InvalidTarget: new () => Error;
}

let loading: Promise<OidcProviderModule> | undefined;

/**
 * Imports oidc-provider once, hiding the "Unsupported runtime" warning it
 * prints on Node 20 (it works here; see FACTS.md).
 */
function loadOidcProvider(): Promise<OidcProviderModule> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      // @ts-expect-error -- oidc-provider ships no type declarations; OidcProviderModule types what is used.
      const module = (await import('oidc-provider')) as { Provider: unknown; errors: { InvalidTarget: unknown } };
      return { Provider: module.Provider, InvalidTarget: module.errors.InvalidTarget } as OidcProviderModule;
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

/** One private signing JWK per algorithm, each with `alg`, `use` and a distinct thumbprint `kid`. */
async function generateSigningKeys(): Promise<JWK[]> {
  return Promise.all(
    OIDC_ALGORITHMS.map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(privateKey);
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
      return { ...jwk, alg, use: 'sig', kid: await calculateJwkThumbprint(publicJwk) };
    }),
  );
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

type Payload = Record<string, unknown>;

/**
 * A minimal in-memory adapter factory, one store per handle. Passing our own
 * keeps oidc-provider from warning about its development adapter on every
 * construction; access tokens are JWTs, so little is ever stored.
 */
function createMapAdapter(): (model: string) => object {
  const store = new Map<string, Payload>();
  const all = (): Payload[] => [...store.values()];
  return (model) => {
    const key = (id: string): string => `${model}:${id}`;
    return {
      upsert: async (id: string, payload: Payload) => void store.set(key(id), payload),
      find: async (id: string) => store.get(key(id)),
      findByUid: async (uid: string) => all().find((payload) => payload['uid'] === uid),
      findByUserCode: async (userCode: string) => all().find((payload) => payload['userCode'] === userCode),
      consume: async (id: string) => {
        const payload = store.get(key(id));
        if (payload) payload['consumed'] = Math.floor(Date.now() / 1000);
      },
      destroy: async (id: string) => void store.delete(key(id)),
      revokeByGrantId: async (grantId: string) => {
        for (const [entry, payload] of store) if (payload['grantId'] === grantId) store.delete(entry);
      },
    };
  };
}
