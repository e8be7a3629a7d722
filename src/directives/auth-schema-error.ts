import { ClaimgateError, CLAIMGATE_ERROR_CODES } from '../claimgate-error.ts';

/**
 * A misuse of the auth directives, found at schema build (start-up). The
 * message names the schema coordinate and the directive.
 */
export class AuthSchemaError extends ClaimgateError {
  static override readonly code = CLAIMGATE_ERROR_CODES.AUTH_SCHEMA;
  override readonly code = AuthSchemaError.code;
  override readonly name = 'AuthSchemaError';

  constructor(
    readonly coordinate: string,
    readonly directive: string,
    problem: string,
  ) {
    super(`@${directive} on ${coordinate}: ${problem}`);
  }
}
