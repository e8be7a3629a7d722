import type { GraphQLSchema } from 'graphql';
import { useReadinessCheck, type Plugin, type YogaLogger } from 'graphql-yoga';
import { DEFAULTS } from '../config/defaults.ts';
import type { AuthMode } from '../directives/auth-directive-transformer.ts';
import type { Enforcement } from '../directives/auth-runtime.ts';
import { createIssuerConfig, type IssuerConfig, type RawIssuer } from '../verification/issuer-config.ts';
import { createAuthContext } from '../context/create-auth-context.ts';
import { getAuthPlan, recordAuthPlan } from '../directives/auth-plan.ts';
import { authDirectiveTransformer } from '../directives/auth-directive-transformer.ts';
import { useAuthFastPath } from '../directives/use-auth-fast-path.ts';
import { checkPolicyRegistry, type PolicyRegistry } from '../directives/policy.ts';
import { createAuthzRuntimes, type AuditStats } from './create-authz-runtimes.ts';
import { badRequestBody } from '../errors.ts';
import { boundListFields } from '../limits/bound-list-fields.ts';
import { normalizeLimits, type OperationLimits } from '../limits/operation-limits.ts';
import { useOperationLimits } from '../limits/use-operation-limits.ts';
import type { Logger } from '../telemetry/log.ts';
import { TokenVerifier, type TokenVerifierOptions } from '../verification/token-verifier.ts';
import { TokenLifetime, type StreamStats } from './token-lifetime.ts';
import { useTokenBoundStreams } from './use-token-bound-streams.ts';
import { CONNECTION_AUTH, registerWebSocketSupport, type ConnectionAuth } from './web-socket-support.ts';
import { trace } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { observeDenials, type DenialObserver } from '../directives/denial-observer.ts';
import type { JwksCache } from '../keys/jwks-cache.ts';
import { noopMetrics, type MetricsRecorder } from '../telemetry/metrics-recorder.ts';
import { SPANS } from '../telemetry/tracer.ts';
import { ClaimgateMetrics } from './claimgate-metrics.ts';

export interface ClaimgateOptions {
  /** The identity providers whose tokens are accepted: fields as for `createIssuerConfig`. At least one. */
  readonly issuers: readonly (RawIssuer | IssuerConfig)[];
  /**
   * Cookie read when there is no Authorization header (Hanko: `hanko`).
   * Turns on the CSRF rule and the credentialed-CORS allow-list. Default: cookies ignored.
   */
  readonly cookieName?: string | undefined;
  /** Origins allowed to call with the cookie (exact `scheme://host[:port]`). Default none. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** `protect-all` for default-deny, applied when the schema is not yet transformed. Default `default`. */
  readonly mode?: AuthMode | undefined;
  /** Allowed clock skew on exp, nbf and iat, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number | undefined;
  /** Decide an operation once when the caller may see all of it. Default true. */
  readonly fastPath?: boolean | undefined;
  /** Operation limits; each defaults to `DEFAULTS.limits`. */
  readonly limits?: Partial<OperationLimits> | undefined;
  /** Largest request body, in bytes, checked against Content-Length before the body is read. Default 1 MiB. */
  readonly maxRequestBodyBytes?: number | undefined;
  /** Readiness path: 200 once every issuer's keys are loaded, 503 before. Default `/readyz`. */
  readonly readinessEndpoint?: string | undefined;
  /** Where claimgate's events go. Default: Yoga's logger. */
  readonly logger?: Logger | undefined;
  /** Tuning of the key caches and the token cache (tests shorten the cooldown, inject a clock). */
  readonly verifier?: Pick<TokenVerifierOptions, 'jwks' | 'tokenCacheSize' | 'now'> | undefined;
  /**
   * The functions `@policy` names, by name, used when this plugin transforms the
   * schema (give them to `authDirectiveTransformer` if you transform it yourself).
   * Default none.
   */
  readonly policies?: PolicyRegistry | undefined;
  /**
   * `enforce`, or `audit` for rollouts: every requirement is evaluated, nothing
   * is denied, each would-be denial is logged (`authz.would_deny`) and counted
   * (`plugin.audit`). Token verification is never audited: a bad token is still 401.
   * Default `enforce`.
   */
  readonly enforcement?: Enforcement | undefined;
  /** Bounds of the WebSocket transport (`attachWebSockets`); each defaults to `DEFAULTS.subscriptions`. */
  readonly subscriptions?: Partial<SubscriptionBounds> | undefined;
  /**
   * Prometheus metrics (`claimgate_*`): `true` for a registry of their own
   * (`plugin.metrics.registry`, mount it on your server), `{ registry }` to
   * register them in yours, `false` for none. Default true.
   */
  readonly metrics?: boolean | { readonly registry?: Registry | undefined } | undefined;
}

/** Bounds of a WebSocket connection. */
export interface SubscriptionBounds {
  /** Operations one connection may run at once; one more is refused with TOO_MANY_SUBSCRIPTIONS. Default 25. */
  readonly maxPerConnection: number;
  /** Milliseconds a connection has to send `connection_init` before it is closed with 4408. Default 3 000. */
  readonly connectionInitTimeoutMs: number;
}

/** The plugin, with the verifier it runs (for readiness and statistics). */
export type ClaimgatePlugin = Plugin & {
  readonly verifier: TokenVerifier;
  /** Counters of token-bound streams (open, ended by expiry, ended by key retirement), for metrics. */
  readonly streams: Readonly<StreamStats>;
  /** Audit mode's would-be denial counters (for metrics). */
  readonly audit: AuditStats;
  /** The Prometheus metrics (`metrics.registry`); undefined when the `metrics` option is false. */
  readonly metrics: ClaimgateMetrics | undefined;
};

const OPTION_NAMES = new Set([
  'issuers', 'cookieName', 'corsOrigins', 'mode', 'clockToleranceSeconds', 'fastPath', 'limits',
  'maxRequestBodyBytes', 'readinessEndpoint', 'logger', 'verifier',
  'subscriptions',
  'policies', 'enforcement',
  'metrics',
]);

/**
 * claimgate for any Yoga server, in one plugin: verifies each request's
 * token once (through the key caches it starts with Yoga and stops on
 * dispose), adds `principal` to your context, enforces the directives of
 * your schema (SDL or code-first; transformed here unless you already did),
 * refuses over-limit operations and bodies, and — with a cookie source — the
 * CSRF rule and the credentialed-CORS allow-list the cookie depends on.
 *
 * For the fastest path create Yoga with `maxRequestBodySize: false`: this
 * plugin already refuses bodies over the limit by their Content-Length
 * (Node never delivers more than Content-Length announces), and Yoga's own
 * limit pipes every body through a counting stream.
 *
 * @example createYoga({ schema, maxRequestBodySize: false, plugins: [useClaimgate({ issuers: [{ issuer, audience: ['api'] }] })] })
 */
export function useClaimgate(options: ClaimgateOptions): ClaimgatePlugin {
  const config = normalizeOptions(options);
  let yogaLogger: YogaLogger | undefined;
  const logger: Logger = config.logger ?? {
    info: (event, fields) => yogaLogger?.info(event, fields),
    warn: (event, fields) => yogaLogger?.warn(event, fields),
    error: (event, fields) => yogaLogger?.error(event, fields),
  };
  const metrics: ClaimgateMetrics | undefined = config.metrics === false
    ? undefined
    : new ClaimgateMetrics({ registry: config.metrics.registry, keyCaches: (): readonly JwksCache[] => verifier.keyCaches, now: config.verifier.now });
  const recorder: MetricsRecorder = metrics ?? noopMetrics;
  for (const issuer of config.issuers) metrics?.addIssuer(issuer.issuer);
  // Denials go to the metrics and, as an event, to the operation's span.
  const onDenial: DenialObserver = (coordinate, code, audit) => {
    recorder.authorizationDecision(coordinate, code, { audit });
    trace.getActiveSpan()?.addEvent(SPANS.denied, { 'claimgate.coordinate': coordinate, 'claimgate.code': code, ...(audit ? { 'claimgate.audit': true } : {}) });
  };
  const verifier: TokenVerifier = new TokenVerifier({
    issuers: config.issuers,
    clockToleranceSeconds: config.clockToleranceSeconds,
    logger,
    metrics: recorder,
    ...config.verifier,
  });
  const authenticate = createAuthContext({ verifier, cookieName: config.cookieName });
  const prepared = new WeakSet<GraphQLSchema>();
  const tooLarge = badRequestBody(`Request body is larger than ${config.maxRequestBodyBytes} bytes.`);
  const lengthRequired = badRequestBody('A request body needs a Content-Length header.');
  const multipartRefused = badRequestBody('Multipart requests are not accepted.');
  const allowedOrigins = new Set(config.corsOrigins);
  const lifetime = new TokenLifetime({ verifier, clockToleranceSeconds: config.clockToleranceSeconds, now: config.verifier.now ?? Date.now });
  const runtimes = createAuthzRuntimes(config.enforcement === 'audit', logger);

  const plugin: ClaimgatePlugin = {
    verifier,
    streams: lifetime.stats,
    audit: runtimes.stats,
    metrics,
    onPluginInit({ addPlugin }) {
      addPlugin(useReadinessCheck({ endpoint: config.readinessEndpoint, check: ({ fetchAPI }) => readiness(verifier.ready, fetchAPI) }));
      addPlugin(useOperationLimits(config.limits, recorder));
      if (config.fastPath) addPlugin(useAuthFastPath());
      addPlugin(useTokenBoundStreams(lifetime, recorder));
    },
    onYogaInit({ yoga }) {
      yogaLogger = yoga.logger as YogaLogger;
      for (const issuer of config.issuers) warnAboutOptIns(issuer, logger);
      if (config.enforcement === 'audit') {
        logger.warn('config.audit_mode', {
          message: 'AUTHORIZATION IS NOT ENFORCED (AUTH_ENFORCEMENT=audit): every caller gets every field; would-be denials are only logged (authz.would_deny). Tokens are still verified. Set enforce when the rollout is done.',
        });
      }
      // A failed first fetch is retried with backoff; readiness reports it.
      void verifier.start();
    },
    onDispose() {
      lifetime.close();
      verifier.close();
    },
    onSchemaChange({ schema, replaceSchema }) {
      if (prepared.has(schema)) return;
      const next = prepareSchema(schema, config.mode, config.policies);
      prepared.add(next);
      observeDenials(next, onDenial);
      replaceSchema(next);
    },
    onRequest({ request, endResponse, fetchAPI }) {
      const refusal = bodyRefusal(request.headers, config.maxRequestBodyBytes);
      if (refusal === undefined) return;
      const body = refusal === 413 ? tooLarge : refusal === 411 ? lengthRequired : multipartRefused;
      endResponse(new fetchAPI.Response(body, { status: refusal, headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' } }));
    },
    onContextBuilding({ context, extendContext }) {
      // A WebSocket operation: its connection verified the token once (attachWebSockets).
      const connection = (context as { [CONNECTION_AUTH]?: ConnectionAuth })[CONNECTION_AUTH];
      if (connection !== undefined) {
        if (connection.owner !== plugin) throw new TypeError('attachWebSockets was given another useClaimgate plugin than the one this Yoga runs.');
        extendContext({ principal: connection.principal } as never);
        extendContext(runtimes.extensionFor(connection.principal) as never);
        return;
      }
      const auth = authenticate(context as unknown as Parameters<typeof authenticate>[0]);
      if (auth instanceof Promise) {
        return auth.then((value) => {
          extendContext(value as never);
          extendContext(runtimes.extensionFor(value.principal) as never);
        }) as unknown as void;
      }
      extendContext(auth as never);
      extendContext(runtimes.extensionFor(auth.principal) as never);
    },
    onResponse({ request, response }) {
      if (config.cookieName === undefined) return;
      // Whatever CORS Yoga was given, a credentialed cross-origin call is
      // answered only for an allowed origin: the cookie's CSRF defence rests on it.
      const origin = request.headers.get('origin');
      const headers = response.headers;
      if (origin !== null && allowedOrigins.has(origin)) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-credentials', 'true');
      } else {
        for (const name of CORS_RESPONSE_HEADERS) headers.delete(name);
      }
      const vary = headers.get('vary');
      if (vary === null) headers.set('vary', 'Origin');
      else if (!/\borigin\b/i.test(vary)) headers.set('vary', `${vary}, Origin`);
    },
  };
  registerWebSocketSupport(plugin, {
    verifier,
    lifetime,
    logger,
    cookieName: config.cookieName,
    allowedOrigins,
    maxPerConnection: config.subscriptions.maxPerConnection,
    connectionInitTimeoutMs: config.subscriptions.connectionInitTimeoutMs,
    maxMessageBytes: config.maxRequestBodyBytes,
  });
  return plugin;
}

const CORS_RESPONSE_HEADERS = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

/**
 * The schema as served: enforced (transformed here when it carries no auth
 * plan yet, so a schema handed over untransformed is never served
 * unprotected) and with every list field counted against the budget — on
 * both the guarded schema and the unguarded one the fast path runs.
 */
function prepareSchema(schema: GraphQLSchema, mode: AuthMode, policies: PolicyRegistry | undefined): GraphQLSchema {
  if (getAuthPlan(schema) !== undefined && policies !== undefined) {
    throw new TypeError('useClaimgate: `policies` apply when the plugin transforms the schema, but this schema was already transformed; give them to authDirectiveTransformer instead.');
  }
  const guarded = getAuthPlan(schema) === undefined ? authDirectiveTransformer(schema, { mode, ...(policies === undefined ? {} : { policies }) }) : schema;
  const plan = getAuthPlan(guarded)!;
  const bounded = boundListFields(guarded);
  recordAuthPlan(bounded, { ...plan, unguarded: boundListFields(plan.unguarded) });
  return bounded;
}

function readiness(ready: boolean, fetchAPI: { Response: typeof Response }): Response {
  return fetchAPI.Response.json(
    { status: ready ? 'ready' : 'loading keys' },
    { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
}

/** 413 for a body over the limit, 411 for a body of unannounced length, 415 for multipart; undefined otherwise. */
function bodyRefusal(headers: Headers, max: number): 411 | 413 | 415 | undefined {
  const length = headers.get('content-length');
  if (length === null) {
    if (headers.get('transfer-encoding') !== null) return 411;
  } else if (!/^\d+$/.test(length) || Number(length) > max) {
    return 413;
  }
  const type = headers.get('content-type');
  return type !== null && type.trimStart().toLowerCase().startsWith('multipart/') ? 415 : undefined;
}

interface NormalizedOptions {
  readonly issuers: readonly IssuerConfig[];
  readonly cookieName: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly mode: AuthMode;
  readonly clockToleranceSeconds: number;
  readonly fastPath: boolean;
  readonly limits: OperationLimits;
  readonly maxRequestBodyBytes: number;
  readonly readinessEndpoint: string;
  readonly logger: Logger | undefined;
  readonly verifier: Pick<TokenVerifierOptions, 'jwks' | 'tokenCacheSize' | 'now'>;
  readonly subscriptions: SubscriptionBounds;
  readonly policies: PolicyRegistry | undefined;
  readonly enforcement: Enforcement;
  readonly metrics: false | { readonly registry?: Registry | undefined };
}

const ISSUER_CONFIGS = new WeakSet<object>();

/** Every option checked and defaulted, or a TypeError / ConfigError naming the option. */
function normalizeOptions(options: ClaimgateOptions): NormalizedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('useClaimgate needs an options object with at least `issuers`.');
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) throw new TypeError(`useClaimgate: unknown option "${name}" (known: ${[...OPTION_NAMES].join(', ')}).`);
  }
  if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
    throw new TypeError('useClaimgate: `issuers` must be a non-empty list, e.g. [{ issuer: "https://id.example.com", audience: ["api"] }].');
  }
  const issuers = options.issuers.map((raw) => {
    if (ISSUER_CONFIGS.has(raw)) return raw as IssuerConfig;
    const config = isIssuerConfig(raw) ? raw : createIssuerConfig(raw as RawIssuer);
    ISSUER_CONFIGS.add(config);
    return config;
  });
  const { cookieName, corsOrigins = [], mode = DEFAULTS.mode as AuthMode, clockToleranceSeconds = DEFAULTS.clockToleranceSeconds } = options;
  if (cookieName !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName)) {
    throw new TypeError(`useClaimgate: cookieName must be a cookie name (an HTTP token), not ${JSON.stringify(cookieName)}.`);
  }
  if (!Array.isArray(corsOrigins) || !corsOrigins.every(isOrigin)) {
    throw new TypeError(`useClaimgate: corsOrigins must be a list of origins like "https://app.example.com", not ${JSON.stringify(corsOrigins)}.`);
  }
  if (mode !== 'default' && mode !== 'protect-all') throw new TypeError(`useClaimgate: mode must be "default" or "protect-all", not ${JSON.stringify(mode)}.`);
  if (typeof clockToleranceSeconds !== 'number' || !Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) {
    throw new TypeError(`useClaimgate: clockToleranceSeconds must be a number of seconds, 0 or more, not ${JSON.stringify(clockToleranceSeconds)}.`);
  }
  const maxRequestBodyBytes = options.maxRequestBodyBytes ?? DEFAULTS.maxRequestBodyBytes;
  if (!Number.isSafeInteger(maxRequestBodyBytes) || maxRequestBodyBytes < 1) {
    throw new TypeError(`useClaimgate: maxRequestBodyBytes must be a whole number of bytes, not ${JSON.stringify(maxRequestBodyBytes)}.`);
  }
  const readinessEndpoint = options.readinessEndpoint ?? DEFAULTS.readinessEndpoint;
  if (typeof readinessEndpoint !== 'string' || !readinessEndpoint.startsWith('/')) {
    throw new TypeError(`useClaimgate: readinessEndpoint must be a path starting with "/", not ${JSON.stringify(readinessEndpoint)}.`);
  }
  let limits: OperationLimits;
  try {
    limits = normalizeLimits(options.limits);
  } catch (error) {
    throw new TypeError(`useClaimgate: ${(error as Error).message}`);
  }
  const enforcement = options.enforcement ?? (DEFAULTS.enforcement as Enforcement);
  if (enforcement !== 'enforce' && enforcement !== 'audit') {
    throw new TypeError(`useClaimgate: enforcement must be "enforce" or "audit", not ${JSON.stringify(enforcement)}.`);
  }
  // Shape checked now; the names the schema uses are checked when it is transformed.
  const policies = options.policies === undefined ? undefined : checkPolicyRegistry(options.policies, new Map(), 'useClaimgate');
  return Object.freeze({
    policies,
    enforcement,
    issuers,
    cookieName,
    corsOrigins,
    mode,
    clockToleranceSeconds,
    fastPath: options.fastPath ?? true,
    limits,
    maxRequestBodyBytes,
    readinessEndpoint,
    logger: options.logger,
    verifier: options.verifier ?? {},
    subscriptions: normalizeSubscriptionBounds(options.subscriptions),
    metrics: normalizeMetrics(options.metrics),
  });
}

function normalizeSubscriptionBounds(bounds: Partial<SubscriptionBounds> | undefined): SubscriptionBounds {
  if (bounds !== undefined && (bounds === null || typeof bounds !== 'object')) {
    throw new TypeError(`useClaimgate: subscriptions must be an object like { maxPerConnection: 25 }, not ${JSON.stringify(bounds)}.`);
  }
  const d = DEFAULTS.subscriptions;
  for (const name of Object.keys(bounds ?? {})) {
    if (!(name in d)) throw new TypeError(`useClaimgate: unknown option "subscriptions.${name}" (known: ${Object.keys(d).join(', ')}).`);
  }
  const { maxPerConnection = d.maxPerConnection, connectionInitTimeoutMs = d.connectionInitTimeoutMs } = bounds ?? {};
  if (!Number.isSafeInteger(maxPerConnection) || maxPerConnection < 1) {
    throw new TypeError(`useClaimgate: subscriptions.maxPerConnection must be a whole number, 1 or more, not ${JSON.stringify(maxPerConnection)}.`);
  }
  if (!Number.isSafeInteger(connectionInitTimeoutMs) || connectionInitTimeoutMs < 1) {
    throw new TypeError(`useClaimgate: subscriptions.connectionInitTimeoutMs must be a whole number of milliseconds, 1 or more, not ${JSON.stringify(connectionInitTimeoutMs)}.`);
  }
  return Object.freeze({ maxPerConnection, connectionInitTimeoutMs });
}

function normalizeMetrics(metrics: ClaimgateOptions['metrics']): NormalizedOptions['metrics'] {
  if (metrics === undefined || metrics === true) return {};
  if (metrics === false) return false;
  if (metrics !== null && typeof metrics === 'object' && Object.keys(metrics).every((key) => key === 'registry')) return metrics;
  throw new TypeError(`useClaimgate: metrics must be true, false or { registry }, not ${JSON.stringify(metrics)}.`);
}

function isIssuerConfig(raw: RawIssuer | IssuerConfig): raw is IssuerConfig {
  return Object.isFrozen(raw) && typeof (raw as IssuerConfig).rolesClaim === 'object';
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  return new URL(value).origin === value;
}

function warnAboutOptIns(issuer: IssuerConfig, logger: Logger): void {
  if (issuer.allowMissingIssuer) {
    logger.warn('config.insecure_opt_in', {
      issuer: issuer.issuer,
      option: 'allowMissingIssuer',
      message: 'Tokens without "iss" are accepted when this issuer\'s keys verify them. Configure the provider to set "iss" and turn this off.',
    });
  }
  if (issuer.allowMissingAudience) {
    logger.warn('config.insecure_opt_in', {
      issuer: issuer.issuer,
      option: 'allowMissingAudience',
      message: 'Tokens without "aud" are accepted from this issuer: any token it issues for any client can call this API.',
    });
  }
}
