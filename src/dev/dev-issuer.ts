import { SignJWT } from 'jose';
import type { Plugin } from 'graphql-yoga';
import { DEFAULTS } from '../config/defaults.ts';
import type { DevSigningKey } from './dev-signing-key.ts';

/** The issuer identifier of the embedded development issuer on a given origin. */
export function devIssuerUrl(origin: string): string {
  return `${origin}${DEFAULTS.devIssuerPath}`;
}

/**
 * Serves the development issuer's discovery document and JWKS on the API's
 * own server. The API then loads these keys over HTTP exactly as it would
 * from a real provider: no shortcut around the production path.
 */
export function useDevIssuer(issuer: string, key: DevSigningKey): Plugin {
  const path = new URL(issuer).pathname;
  const discovery = { issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: [key.alg] };
  const jwks = { keys: [key.publicJwk] };
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === `${path}/.well-known/openid-configuration`) endResponse(fetchAPI.Response.json(discovery));
      else if (url.pathname === `${path}/jwks`) endResponse(fetchAPI.Response.json(jwks, { headers: { 'cache-control': `max-age=${DEFAULTS.devJwksMaxAgeSeconds}` } }));
    },
  };
}

export interface DevTokenOptions {
  readonly issuer: string;
  readonly subject: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  /** Lifetime in seconds. */
  readonly ttlSeconds?: number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** Mints a development token the embedded issuer's keys verify. */
export function mintDevToken(key: DevSigningKey, options: DevTokenOptions): Promise<string> {
  const ttl = options.ttlSeconds ?? DEFAULTS.devTokenTtlSeconds;
  return new SignJWT({
    ...options.claims,
    ...(options.roles === undefined ? {} : { roles: options.roles }),
    ...(options.scopes === undefined || options.scopes.length === 0 ? {} : { scope: options.scopes.join(' ') }),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(DEFAULTS.devAudience)
    .setSubject(options.subject)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .sign(key.privateKey);
}
