import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { errors, jwtVerify, type JWTVerifyOptions } from 'jose';
import type { IssuerConfig } from './issuer-config.ts';
import { hasClaimgateCode } from '../claimgate-error.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { JwksCache, type JwksCacheOptions } from '../keys/jwks-cache.ts';
import { KeysUnavailableError } from '../keys/keys-unavailable-error.ts';
import type { Logger } from '../telemetry/log.ts';
import { noopMetrics, type MetricsRecorder } from '../telemetry/metrics-recorder.ts';
import { SPANS, tracer } from '../telemetry/tracer.ts';
import { createPrincipal, type Principal } from '../principal/principal.ts';
import { decodeTokenShape } from './token-shape.ts';
import { TokenRejectedError, type RejectionReason } from './token-rejected-error.ts';
import { TokenCache } from './token-cache.ts';

export interface TokenVerifierOptions {
  readonly issuers: readonly IssuerConfig[];
  /** Allowed clock skew on exp, nbf and iat, in seconds. Default 5. */
  readonly clockToleranceSeconds?: number;
  readonly logger: Logger;
  /** Where verifications and key fetches are counted. Default: nowhere. */
  readonly metrics?: MetricsRecorder;
  /** Overrides for every issuer's key cache (cooldown, timeouts, ...). */
  readonly jwks?: Partial<Omit<JwksCacheOptions, 'issuer' | 'jwksUri' | 'logger' | 'metrics'>>;
  /** Verified tokens kept; 0 turns the cache off. Default 10 000. */
  readonly tokenCacheSize?: number;
  /** Largest accepted token, in bytes. Default 8 192. */
  readonly maxTokenBytes?: number;
  /** The clock, in milliseconds since the epoch. */
  readonly now?: () => number;
}

interface IssuerState {
  readonly config: IssuerConfig;
  readonly keys: JwksCache;
  /**
   * jose options, built once: [strict, without iss, without aud, without
   * both]. The relaxed ones serve only the opt-ins, and only for a token
   * that lacks the claim.
   */
  readonly options: readonly [JWTVerifyOptions, JWTVerifyOptions, JWTVerifyOptions, JWTVerifyOptions];
}

interface VerifiedToken {
  readonly principal: Principal;
  readonly nbf: number | undefined;
}

interface RejectedToken {
  readonly error: TokenRejectedError;
  readonly kid: unknown;
  readonly iss: unknown;
  /** The configured issuer whose keys judged it; undefined when none was chosen. */
  readonly issuer: string | undefined;
}

/**
 * Refusals that stay true for the same key set: not `not_yet_valid`,
 * `issued_in_future` (time fixes those) nor `unknown_key` (a refetch may).
 */
const PERMANENT_REASONS = new Set<RejectionReason>([
  'malformed',
  'too_large',
  'encrypted',
  'expired',
  'bad_signature',
  'algorithm_not_allowed',
  'untrusted_issuer',
  'invalid_audience',
  'missing_claim',
  'invalid_claim',
  'wrong_token_type',
  'unsupported',
]);

/** Counters for tests and benchmarks. */
export interface VerifierStats {
  /** Calls of `verify()`: one per request that carried a token. */
  verifyCalls: number;
  /** Of those, answered from the verified-token cache or the refused-token cache. */
  cacheHits: number;
}

/**
 * Verifies bearer tokens against the configured issuers. The unverified `iss`
 * only picks the issuer; the token is then verified with that issuer's keys
 * alone, so one provider's keys never vouch for another's tokens.
 */
export class TokenVerifier {
  readonly stats: VerifierStats = { verifyCalls: 0, cacheHits: 0 };
  readonly #issuers = new Map<string, IssuerState>();
  readonly #issuerless: IssuerState | undefined;
  readonly #verified: TokenCache<VerifiedToken>;
  readonly #rejected = new TokenCache<RejectedToken>(DEFAULTS.tokenCache.maxRejectedEntries);
  readonly #tolerance: number;
  readonly #maxTokenBytes: number;
  readonly #now: () => number;
  /** A clock other than Date.now was given: jose must use it too. */
  readonly #customClock: boolean;
  readonly #logger: Logger;
  /** The keys that could have verified each principal, for `isSigningKeyPresent`. */
  readonly #signingKeys = new WeakMap<Principal, { readonly keys: JwksCache; readonly ids: readonly string[] }>();
  readonly #keySetListeners = new Set<(issuer: string) => void>();
  readonly #metrics: MetricsRecorder;

  constructor(options: TokenVerifierOptions) {
    if (options.issuers.length === 0) throw new TypeError('TokenVerifier needs at least one issuer');
    this.#tolerance = options.clockToleranceSeconds ?? DEFAULTS.clockToleranceSeconds;
    this.#maxTokenBytes = options.maxTokenBytes ?? DEFAULTS.maxTokenBytes;
    this.#now = options.now ?? Date.now;
    this.#customClock = options.now !== undefined;
    this.#logger = options.logger;
    this.#metrics = options.metrics ?? noopMetrics;
    this.#verified = new TokenCache(options.tokenCacheSize ?? DEFAULTS.tokenCache.maxEntries);
    let issuerless: IssuerState | undefined;
    for (const config of options.issuers) {
      const keys = new JwksCache({
        now: this.#now,
        ...options.jwks,
        issuer: config.issuer,
        jwksUri: config.jwksUri,
        logger: options.logger,
        metrics: this.#metrics,
        onChange: () => this.#keySetChanged(config.issuer),
      });
      const state: IssuerState = {
        config,
        keys,
        options: verifyOptions(config, this.#tolerance),
      };
      this.#issuers.set(config.issuer, state);
      if (config.allowMissingIssuer) issuerless = state;
    }
    this.#issuerless = issuerless;
  }

  /** The key caches, one per issuer, for readiness and inspection. */
  get keyCaches(): readonly JwksCache[] {
    return [...this.#issuers.values()].map((state) => state.keys);
  }

  /** True when every issuer's keys are loaded. */
  get ready(): boolean {
    return this.keyCaches.every((keys) => keys.ready);
  }

  /**
   * True while the key that verified this principal's token (its issuer's
   * key with the token's `kid`) is still in that issuer's key set. False for
   * a principal this verifier did not produce. Long-lived operations ask this
   * after each key-set change (`onKeySetChange`).
   */
  isSigningKeyPresent(principal: Principal): boolean {
    const signing = this.#signingKeys.get(principal);
    return signing !== undefined && signing.ids.some((id) => signing.keys.hasKeyId(id));
  }

  /** Calls `listener` with the issuer after each change of an issuer's key set; returns the unsubscribe function. */
  onKeySetChange(listener: (issuer: string) => void): () => void {
    this.#keySetListeners.add(listener);
    return () => this.#keySetListeners.delete(listener);
  }

  #keySetChanged(issuer: string): void {
    for (const listener of [...this.#keySetListeners]) listener(issuer);
  }

  /** Fetches every issuer's keys; resolves when each first attempt has ended. */
  async start(): Promise<void> {
    await Promise.all(this.keyCaches.map((keys) => keys.start()));
  }

  close(): void {
    for (const keys of this.keyCaches) keys.close();
    this.#verified.clear();
    this.#rejected.clear();
    this.#keySetListeners.clear();
  }

  /**
   * Verifies a token and returns its principal: synchronously when the token
   * is in the verified-token cache, else as a promise. Throws (or rejects
   * with) TokenRejectedError, or KeysUnavailableError when the issuer's keys
   * could not be loaded.
   */
  verify(token: string): Principal | Promise<Principal> {
    this.stats.verifyCalls++;
    const cached = this.#verified.get(token, this.#stillValid);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      // Counted, but no span: a cache hit is a map lookup, and a recording
      // SDK's span would cost ~15 µs of a ~110 µs request (bench/results/observability.md).
      this.#metrics.tokenVerified('accepted', 'none', true);
      return cached.principal;
    }
    const rejected = this.#rejected.get(token);
    if (rejected !== undefined) {
      this.stats.cacheHits++;
      this.#metrics.tokenVerified('rejected', rejected.error.reason, true);
      this.#logRejection(rejected.error, rejected.kid, rejected.iss);
      throw rejected.error;
    }
    return tracer.startActiveSpan(SPANS.verifyToken, (span) => this.#verifySlow(token, span));
  }

  /** A cached verification holds while `exp` and `nbf` do, by the same rule as jose's `jwtVerify`. */
  readonly #stillValid = ({ principal, nbf }: VerifiedToken): boolean => {
    const now = Math.floor(this.#now() / 1000);
    return principal.expiresAt > now - this.#tolerance && (nbf === undefined || nbf <= now + this.#tolerance);
  };

  /** Verifies with the issuer's keys; ends `span` with the outcome. */
  async #verifySlow(token: string, span: Span): Promise<Principal> {
    let kid: unknown;
    let iss: unknown;
    let state: IssuerState | undefined;
    let generation = 0;
    try {
      const { header, payload } = decodeTokenShape(token, this.#maxTokenBytes);
      kid = header.kid;
      iss = payload.iss;
      state = this.#issuerFor(payload);
      generation = state.keys.generation;
      const options = this.#optionsFor(state, payload);
      const { payload: verified } = await jwtVerify(token, state.keys.getKey, options);
      if (typeof verified.iat === 'number' && verified.iat > Math.floor(this.#now() / 1000) + this.#tolerance) {
        throw new TokenRejectedError('issued_in_future');
      }
      // Without `aud`, an access token may still name its client (Cognito's
      // `client_id`): then it must be one of the configured audiences.
      if (verified.aud === undefined && verified.client_id !== undefined && !state.config.audience.includes(verified.client_id as string)) {
        throw new TokenRejectedError('invalid_audience', 'client_id');
      }
      if (state.config.tokenUse !== undefined && verified.token_use !== state.config.tokenUse) {
        throw new TokenRejectedError('wrong_token_type', 'token_use');
      }
      const principal = createPrincipal(verified, {
        issuer: state.config.issuer,
        rolesClaim: state.config.rolesClaim,
        scopesClaim: state.config.scopesClaim,
      });
      // Read now, while the key set is (almost always) the one jose used; if it
      // changed meanwhile and dropped the key, no id is found and long-lived
      // operations end at once (fail closed).
      this.#signingKeys.set(principal, { keys: state.keys, ids: state.keys.keyIdsFor(header) });
      // Cache only when the key set did not change while we verified: an
      // entry must never outlive the key that signed it.
      if (state.keys.generation === generation) {
        this.#verified.set(token, { principal, nbf: typeof verified.nbf === 'number' ? verified.nbf : undefined }, state.keys, generation);
      }
      this.#metrics.tokenVerified('accepted', 'none', false);
      endVerifySpan(span, state.config.issuer, 'accepted', 'none');
      return principal;
    } catch (error) {
      const classified = classify(error);
      const unavailable = classified instanceof KeysUnavailableError;
      const reason = unavailable ? 'keys_unavailable' : classified.reason;
      this.#metrics.tokenVerified(unavailable ? 'unavailable' : 'rejected', reason, false);
      endVerifySpan(span, state?.config.issuer, unavailable ? 'unavailable' : 'rejected', reason);
      this.#logRejection(classified, kid, iss);
      // A refusal that time and new keys cannot change is remembered, so a
      // client retrying a bad token costs no signature check.
      if (classified instanceof TokenRejectedError && PERMANENT_REASONS.has(classified.reason)) {
        // Decided before an issuer was chosen (malformed, untrusted issuer): no key set involved.
        this.#rejected.set(token, { error: classified, kid, iss, issuer: state?.config.issuer }, state?.keys, generation);
      }
      throw classified;
    }
  }

  #logRejection(error: TokenRejectedError | KeysUnavailableError, kid: unknown, iss: unknown): void {
    this.#logger.warn('token.rejected', {
      reason: error instanceof KeysUnavailableError ? 'keys_unavailable' : error.reason,
      ...(error instanceof TokenRejectedError && error.detail !== undefined ? { detail: error.detail } : {}),
      kid: loggable(kid),
      iss: loggable(iss),
    });
  }

  #issuerFor(payload: Readonly<Record<string, unknown>>): IssuerState {
    if (payload.iss === undefined) {
      if (this.#issuerless !== undefined) return this.#issuerless;
      throw new TokenRejectedError('untrusted_issuer', 'no iss claim');
    }
    const state = typeof payload.iss === 'string' ? this.#issuers.get(payload.iss) : undefined;
    if (state === undefined) throw new TokenRejectedError('untrusted_issuer', 'iss is not a configured issuer');
    return state;
  }

  #optionsFor(state: IssuerState, payload: Readonly<Record<string, unknown>>): JWTVerifyOptions {
    // The opt-ins only relax a claim that is absent; a present claim is always checked.
    const withoutIssuer = payload.iss === undefined && state.config.allowMissingIssuer ? 1 : 0;
    const withoutAudience = payload.aud === undefined && state.config.allowMissingAudience ? 2 : 0;
    const options = state.options[withoutIssuer + withoutAudience]!;
    return this.#customClock ? { ...options, currentDate: new Date(this.#now()) } : options;
  }
}

function verifyOptions(config: IssuerConfig, tolerance: number): IssuerState['options'] {
  const strict: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    audience: [...config.audience],
    clockTolerance: tolerance,
    requiredClaims: ['exp'],
    ...(config.tokenType === undefined ? {} : { typ: config.tokenType }),
  };
  const { issuer: _issuer, ...withoutIssuer } = strict;
  const { audience: _audience, ...withoutAudience } = strict;
  const { audience: _both, ...withoutBoth } = withoutIssuer;
  return [strict, withoutIssuer, withoutAudience, withoutBoth];
}

/** Maps any failure to a TokenRejectedError (or KeysUnavailableError), by jose's stable codes. */
function classify(error: unknown): TokenRejectedError | KeysUnavailableError {
  if (hasClaimgateCode(error, TokenRejectedError.code) || hasClaimgateCode(error, KeysUnavailableError.code)) return error as TokenRejectedError | KeysUnavailableError;
  if (!(error instanceof errors.JOSEError)) return new TokenRejectedError('malformed', 'unexpected verification failure');
  const reason = JOSE_REASONS[error.code] ?? 'malformed';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejectedError(claimReason(error), `${error.claim}: ${error.reason}`);
  }
  return new TokenRejectedError(reason, error.code);
}

const JOSE_REASONS: Record<string, RejectionReason> = {
  ERR_JWT_EXPIRED: 'expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'bad_signature',
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm_not_allowed',
  ERR_JWKS_NO_MATCHING_KEY: 'unknown_key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'bad_signature',
  ERR_JOSE_NOT_SUPPORTED: 'unsupported',
  ERR_JWS_INVALID: 'malformed',
  ERR_JWT_INVALID: 'malformed',
  ERR_JWKS_INVALID: 'unknown_key',
  ERR_JWK_INVALID: 'unknown_key',
};

function claimReason(error: InstanceType<typeof errors.JWTClaimValidationFailed>): RejectionReason {
  if (error.reason === 'missing') return 'missing_claim';
  switch (error.claim) {
    case 'nbf':
      return error.reason === 'check_failed' ? 'not_yet_valid' : 'invalid_claim';
    case 'iss':
      return 'untrusted_issuer';
    case 'aud':
      return 'invalid_audience';
    case 'typ':
      return 'wrong_token_type';
    default:
      return 'invalid_claim';
  }
}

/**
 * Ends a verification span. The issuer attribute is a configured issuer
 * only (an unknown `iss` shows as the reason `untrusted_issuer`); the
 * token, its header and its claims are never recorded.
 */
function endVerifySpan(span: Span, issuer: string | undefined, outcome: string, reason: string): void {
  if (issuer !== undefined) span.setAttribute('claimgate.issuer', issuer);
  span.setAttribute('claimgate.outcome', outcome);
  span.setAttribute('claimgate.reason', reason);
  // Spans are made for verifications that do the work; cache hits are counted in the metrics only.
  span.setAttribute('claimgate.cache_hit', false);
  if (outcome !== 'accepted') span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  span.end();
}

/** A header or claim value from an unverified token, made safe to log. */
function loggable(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}
