/**
 * The stable `code` of every error claimgate's library throws (jose-style):
 * branch on `error.code`, never on `instanceof` chains or message text.
 * These are thrown to the program (start-up, the verifier's callers), not
 * sent to GraphQL clients; clients see `ERROR_CODES` in `extensions.code`.
 */
export const CLAIMGATE_ERROR_CODES = Object.freeze({
  /** Any claimgate error (the base class's code). */
  GENERIC: 'ERR_CLAIMGATE_GENERIC',
  /** A configuration mistake found at start-up (ConfigError). */
  CONFIG: 'ERR_CLAIMGATE_CONFIG',
  /** A misuse of the auth directives found at schema build (AuthSchemaError). */
  AUTH_SCHEMA: 'ERR_CLAIMGATE_AUTH_SCHEMA',
  /** A token that is not acceptable (TokenRejectedError). */
  TOKEN_REJECTED: 'ERR_CLAIMGATE_TOKEN_REJECTED',
  /** No usable keys are held for an issuer (KeysUnavailableError). */
  KEYS_UNAVAILABLE: 'ERR_CLAIMGATE_KEYS_UNAVAILABLE',
  /** A key or discovery fetch failed (FetchFailedError); logged, then retried. */
  FETCH_FAILED: 'ERR_CLAIMGATE_FETCH_FAILED',
});

export type ClaimgateErrorCode = (typeof CLAIMGATE_ERROR_CODES)[keyof typeof CLAIMGATE_ERROR_CODES];

/**
 * The base class of claimgate's errors. Each subclass has a `static code`
 * and the same `code` on its instances.
 *
 * @example if (error?.code === ConfigError.code) console.error(error.message)
 */
export class ClaimgateError extends Error {
  static readonly code: ClaimgateErrorCode = CLAIMGATE_ERROR_CODES.GENERIC;
  readonly code: ClaimgateErrorCode = CLAIMGATE_ERROR_CODES.GENERIC;
  override readonly name: string = 'ClaimgateError';
}

/** Whether `error` is a claimgate error carrying `code`. */
export function hasClaimgateCode(error: unknown, code: ClaimgateErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
