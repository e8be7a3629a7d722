import { ClaimgateError, CLAIMGATE_ERROR_CODES } from '../claimgate-error.ts';

/**
 * Why a token was refused. The closed set of reasons; each maps to the short
 * `error_description` clients see in `WWW-Authenticate` (no claim values, no
 * library messages).
 */
export const REJECTION_REASONS = Object.freeze({
  malformed: 'malformed token',
  too_large: 'token too large',
  encrypted: 'encrypted tokens are not accepted',
  expired: 'token expired',
  not_yet_valid: 'token not yet valid',
  issued_in_future: 'token issued in the future',
  bad_signature: 'invalid signature',
  algorithm_not_allowed: 'algorithm not allowed',
  unknown_key: 'no matching key',
  untrusted_issuer: 'untrusted issuer',
  invalid_audience: 'invalid audience',
  missing_claim: 'required claim missing',
  invalid_claim: 'invalid claim',
  wrong_token_type: 'wrong token type',
  unsupported: 'unsupported token',
});

export type RejectionReason = keyof typeof REJECTION_REASONS;

/** A token that is not acceptable: the request answers 401 invalid_token. */
export class TokenRejectedError extends ClaimgateError {
  static override readonly code = CLAIMGATE_ERROR_CODES.TOKEN_REJECTED;
  override readonly code = TokenRejectedError.code;
  override readonly name = 'TokenRejectedError';

  constructor(
    readonly reason: RejectionReason,
    /** Detail for the log only (a library's message, a claim name); never sent to clients. */
    readonly detail?: string,
  ) {
    // No stack: a refused token is an answer, not a bug, and a stack is its biggest cost.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(REJECTION_REASONS[reason]);
    Error.stackTraceLimit = limit;
  }

  /** The client-facing description. */
  get description(): string {
    return REJECTION_REASONS[this.reason];
  }
}
