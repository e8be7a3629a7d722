/**
 * Every default of claimgate, written once beside its unit. The README's
 * configuration table is this file in prose; keep them in step.
 */
export const DEFAULTS = Object.freeze({
  /** TCP port the API listens on (PORT). */
  port: 4000,
  /** Interface the API listens on (HOST). */
  host: '127.0.0.1',
  /** Allowed JWS algorithms (AUTH_ALGORITHMS): asymmetric only. */
  algorithms: Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']),
  /** Where roles live (AUTH_ROLES_CLAIM): a claim name, or a JSON Pointer starting with `/`. */
  rolesClaim: 'roles',
  /** Allowed clock skew on exp, nbf and iat, in seconds (AUTH_CLOCK_TOLERANCE). */
  clockToleranceSeconds: 5,
  /** Largest token accepted, in bytes; longer tokens are refused before any parsing (Node itself refuses request headers over 16 KiB). */
  maxTokenBytes: 8 * 1024,
  /** Authorization mode (AUTH_MODE): `default`, or `protect-all` for default-deny. */
  mode: 'default',
  /** Largest request body accepted, in bytes (checked against Content-Length before Yoga runs). */
  maxRequestBodyBytes: 1024 * 1024,
  /** Audience of the embedded development issuer's tokens. */
  devAudience: 'claimgate-dev',
  /** Path under which the embedded development issuer serves discovery and keys. */
  devIssuerPath: '/dev-issuer',
  /** Lifetime of a token minted by `npm run token`, in seconds. */
  devTokenTtlSeconds: 15 * 60,
  jwks: Object.freeze({
    /** At most one refetch for an unknown `kid` per this many milliseconds. */
    cooldownMs: 30_000,
    /** Refresh period when the JWKS response has no usable Cache-Control max-age, in milliseconds. */
    refreshMs: 10 * 60_000,
    /** A Cache-Control max-age is clamped to at least this many milliseconds... */
    minRefreshMs: 60_000,
    /** ...and at most this many milliseconds. */
    maxRefreshMs: 24 * 60 * 60_000,
    /** Keys stay in use this long after the last successful fetch while refreshes fail (stale-if-error), in milliseconds. */
    maxStaleMs: 24 * 60 * 60_000,
    /** A key or discovery fetch is abandoned after this many milliseconds. */
    timeoutMs: 5_000,
    /** A key or discovery response larger than this many bytes is refused. */
    maxBodyBytes: 512 * 1024,
    /** First retry delay after a failed fetch, in milliseconds; doubles on each failure... */
    retryInitialMs: 1_000,
    /** ...up to this many milliseconds between tries. */
    retryMaxMs: 30_000,
  }),
  tokenCache: Object.freeze({
    /** Verified tokens kept (LRU); 0 turns the cache off. */
    maxEntries: 10_000,
  }),
});
