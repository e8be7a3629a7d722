/**
 * A misuse of the auth directives, found at schema build (start-up). The
 * message names the schema coordinate and the directive.
 */
export class AuthSchemaError extends Error {
  override readonly name = 'AuthSchemaError';

  constructor(
    readonly coordinate: string,
    readonly directive: string,
    problem: string,
  ) {
    super(`@${directive} on ${coordinate}: ${problem}`);
  }
}
