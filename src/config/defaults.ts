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
  /** Authorization enforcement (AUTH_ENFORCEMENT): `enforce`, or `audit` to log and count would-be denials without denying. */
  enforcement: 'enforce',
  /** Largest request body accepted, in bytes (checked against Content-Length before Yoga runs). */
  maxRequestBodyBytes: 1024 * 1024,
  /** Readiness path: 200 once keys are loaded, 503 before. */
  readinessEndpoint: '/readyz',
  /** Liveness path of the app: 200 while the process runs. */
  healthEndpoint: '/healthz',
  /** Idle keep-alive connections are closed after this many milliseconds (gateways keep connections open). */
  keepAliveTimeoutMs: 65_000,
  /** Longest wait for in-flight requests on shutdown, in milliseconds. */
  shutdownTimeoutMs: 10_000,
  /** `Retry-After` of a 503 while keys are unavailable, in seconds. */
  retryAfterSeconds: 5,
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
  /** Operation limits (LIMIT_* variables; `limits` option of useClaimgate). */
  limits: Object.freeze({
    /** Parser tokens per document (LIMIT_MAX_TOKENS); a longer document is refused while parsing. */
    maxTokens: 2_000,
    /** Selection depth, fragments flattened (LIMIT_MAX_DEPTH). */
    maxDepth: 12,
    /** Aliases per operation (LIMIT_MAX_ALIASES). */
    maxAliases: 30,
    /** Directives per operation (LIMIT_MAX_DIRECTIVES). */
    maxDirectives: 50,
    /** Estimated cost per operation: fields count 1 each, list fields multiply by their size (LIMIT_MAX_COST). */
    maxCost: 50_000,
    /** List items resolved per operation, all lists together (LIMIT_MAX_LIST_ITEMS). */
    maxListItems: 50_000,
    /** Arguments read as a list field's size (LIMIT_LIST_SIZE_ARGUMENTS), first match wins. */
    listSizeArguments: Object.freeze(['limit', 'first', 'last', 'n', 'take', 'count', 'size', 'pageSize', 'perPage']),
    /** Size assumed for a list field without a size argument (LIMIT_DEFAULT_LIST_SIZE). */
    defaultListSize: 100,
  }),
  /** Subscriptions over WebSocket (LIMIT_WS_* variables; `subscriptions` option of useClaimgate). */
  subscriptions: Object.freeze({
    /** Operations one WebSocket connection may run at once (LIMIT_WS_MAX_SUBSCRIPTIONS). */
    maxPerConnection: 25,
    /** A WebSocket that sends no `connection_init` within this many milliseconds is closed with 4408 (LIMIT_WS_INIT_TIMEOUT_MS). */
    connectionInitTimeoutMs: 3_000,
  }),
  tokenCache: Object.freeze({
    /** Verified tokens kept (LRU); 0 turns the cache off. */
    maxEntries: 10_000,
    /** Permanently refused tokens remembered (LRU), so a client retrying one costs no signature check. */
    maxRejectedEntries: 1_000,
  }),
  /** Cache-Control max-age of the embedded development issuer's JWKS, in seconds. */
  devJwksMaxAgeSeconds: 600,
  /** `sub` of a token minted by `npm run token` without --sub, and of the banner's token. */
  devTokenSubject: 'alice',
  /** Lowest level the app logs (LOG_LEVEL): trace, debug, info, warn, error, fatal or silent. */
  logLevel: 'info',
  /** Whether the app serves Prometheus metrics (METRICS=on|off); the plugin's `metrics` option defaults to on too. */
  metrics: true,
  /** Path of the app's Prometheus metrics, on the API port or on METRICS_PORT when set. */
  metricsPath: '/metrics',
});
