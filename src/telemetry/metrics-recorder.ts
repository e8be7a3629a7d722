/**
 * What claimgate's parts report to metrics. Defined here, below every layer,
 * so the key caches, the verifier, the directives and the limits can record
 * without importing the Prometheus implementation (which the plugin creates).
 * Every label value a caller passes comes from a closed set below or from the
 * schema; nothing from a token or a request.
 */
export interface MetricsRecorder {
  /** One token verification: its outcome, the rejection reason (`none` when accepted), and whether a cache answered. */
  tokenVerified(outcome: VerificationOutcome, reason: VerificationReason, cacheHit: boolean): void;
  /** One key fetch of a configured issuer (discovery included) and how long it took, in seconds. */
  keyFetch(issuer: string, result: KeyFetchResult, seconds: number): void;
  /**
   * An authorization decision that refused a field (or, in audit mode, would
   * have): `coordinate` is a schema coordinate (`Type.field` or `Type`) from the
   * schema, never from input.
   */
  authorizationDecision(coordinate: string, code: DenialCode, options?: { readonly audit?: boolean }): void;
  /** An operation refused by an operation limit (`maxDepth`, `maxCost`, ...). */
  operationRefused(limit: LimitName): void;
  /** A subscription started streaming. */
  subscriptionOpened(): void;
  /** A subscription stopped, and why. */
  subscriptionEnded(reason: SubscriptionEndReason): void;
}

export type VerificationOutcome = 'accepted' | 'rejected' | 'unavailable';

/** The rejection reasons (REJECTION_REASONS), `keys_unavailable`, or `none` for an accepted token. */
export type VerificationReason = string;

/** How a key or discovery fetch ended. */
export const KEY_FETCH_RESULTS = Object.freeze(['ok', 'http_error', 'timeout', 'too_large', 'invalid', 'unreachable'] as const);
export type KeyFetchResult = (typeof KEY_FETCH_RESULTS)[number];

export const DENIAL_CODES = Object.freeze(['UNAUTHENTICATED', 'FORBIDDEN'] as const);
export type DenialCode = (typeof DENIAL_CODES)[number];

/** The operation limits, by their option names. */
export const LIMIT_NAMES = Object.freeze(['maxTokens', 'maxDepth', 'maxAliases', 'maxDirectives', 'maxCost', 'maxListItems'] as const);
export type LimitName = (typeof LIMIT_NAMES)[number];

/**
 * Why a subscription ended: the client or the source completed it, its token
 * expired, the key that signed its token left the key set, the server shut
 * down, or it failed.
 */
export const SUBSCRIPTION_END_REASONS = Object.freeze(['completed', 'expired', 'key_retired', 'shutdown', 'error'] as const);
export type SubscriptionEndReason = (typeof SUBSCRIPTION_END_REASONS)[number];

/** Records nothing: the default when metrics are off. */
export const noopMetrics: MetricsRecorder = Object.freeze({
  tokenVerified() {},
  keyFetch() {},
  authorizationDecision() {},
  operationRefused() {},
  subscriptionOpened() {},
  subscriptionEnded() {},
});
