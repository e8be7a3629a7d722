import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { DEFAULTS } from './config/defaults.ts';
import { bearerChallenge, type BearerErrorCode } from './credentials/www-authenticate.ts';

/**
 * Every `extensions.code` claimgate sends to clients. Reasons go to the log;
 * clients get these codes and short fixed messages only.
 */
export const ERROR_CODES = Object.freeze({
  /** No valid credentials: field-level (anonymous caller) or request-level (bad token, HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Authenticated, but a requirement is not met (field-level); or a cookie on a forgeable request (HTTP 403). */
  FORBIDDEN: 'FORBIDDEN',
  /** The issuer's keys could not be loaded: the token may be valid, try again later (HTTP 503). */
  AUTH_UNAVAILABLE: 'AUTH_UNAVAILABLE',
  /** The request body is over the size limit (413), of unannounced length (411), or of an unsupported type (415). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The document has more parser tokens than the limit (refused while parsing). */
  OPERATION_TOO_LARGE: 'OPERATION_TOO_LARGE',
  /** The operation selects fields nested deeper than the limit. */
  OPERATION_TOO_DEEP: 'OPERATION_TOO_DEEP',
  /** The operation uses more aliases than the limit. */
  OPERATION_TOO_MANY_ALIASES: 'OPERATION_TOO_MANY_ALIASES',
  /** The operation uses more directives than the limit. */
  OPERATION_TOO_MANY_DIRECTIVES: 'OPERATION_TOO_MANY_DIRECTIVES',
  /** The operation's estimated cost (list sizes multiplied in) is over the limit. */
  OPERATION_TOO_COMPLEX: 'OPERATION_TOO_COMPLEX',
  /** The operation resolved more list items than one response may hold; it ends with this error. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** A subscription's token expired (`exp` plus the clock tolerance passed): the final error of the stream. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** The key that signed a subscription's token left its issuer's key set: the final error of the stream. */
  TOKEN_KEY_RETIRED: 'TOKEN_KEY_RETIRED',
  /** A WebSocket connection already runs the most operations one connection may run at once. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
});

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * A request-level 401: nothing executes. Carries `extensions.http` so Yoga
 * answers with the status and the Bearer challenge.
 */
export function unauthenticatedRequestError(error: BearerErrorCode, description: string): GraphQLError {
  return withoutStack(() => createGraphQLError(`Unauthenticated: ${description}.`, {
    extensions: {
      code: ERROR_CODES.UNAUTHENTICATED,
      http: { status: 401, headers: { 'WWW-Authenticate': bearerChallenge(error, description) } },
    },
  }));
}

/** A request-level 503: keys are unavailable, so no token can be judged. */
export function authUnavailableError(): GraphQLError {
  return createGraphQLError('Authentication is temporarily unavailable; retry later.', {
    extensions: { code: ERROR_CODES.AUTH_UNAVAILABLE, http: { status: 503, headers: { 'Retry-After': String(DEFAULTS.retryAfterSeconds) } } },
  });
}

/** A request-level 403: cookie credentials on a request a browser could have sent cross-site. */
export function forgeableCookieRequestError(cookieName: string): GraphQLError {
  return createGraphQLError(
    `Forbidden: the ${cookieName} cookie is only accepted on POST requests with a JSON body (or the X-Requested-With header), which a browser cannot send cross-site without a CORS preflight.`,
    { extensions: { code: ERROR_CODES.FORBIDDEN, http: { status: 403 } } },
  );
}

/** The operation limits, by the code a refusal carries. */
export type LimitCode =
  | 'OPERATION_TOO_LARGE'
  | 'OPERATION_TOO_DEEP'
  | 'OPERATION_TOO_MANY_ALIASES'
  | 'OPERATION_TOO_MANY_DIRECTIVES'
  | 'OPERATION_TOO_COMPLEX';

/**
 * An operation refused before execution by one of the operation limits. The
 * message names the limit and its value; `extensions.limit` names the option.
 * Status 400, as GraphQL over HTTP answers a validation error.
 */
export function operationLimitError(code: LimitCode, limit: string, max: number, message: string): GraphQLError {
  return withoutStack(() => createGraphQLError(message, { extensions: { code, limit, max, http: { status: 400, spec: true } } }));
}

/** A field past the operation's list-item budget: the field is null with this error, never a crash. */
export function resultTooLargeError(max: number): GraphQLError {
  return withoutStack(() => createGraphQLError(
    `Result too large: this operation resolved more than ${max} list items (maxListItems); ask for fewer items or page through them.`,
    { extensions: { code: ERROR_CODES.RESULT_TOO_LARGE, limit: 'maxListItems', max } },
  ));
}

/** The JSON body of a request refused before GraphQL runs (by the HTTP layer). */
export function badRequestBody(message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code: ERROR_CODES.BAD_REQUEST } }] });
}

/**
 * Builds an error without capturing a stack trace: request-level errors are
 * answered, never debugged, and a stack costs more than the rest of a 401.
 */
export function withoutStack<T>(create: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A field-level denial. No `extensions.http`: Yoga would apply the highest
 * status of any error to the whole response and turn a partial 200 into a 401.
 */
export function fieldDenialError(code: 'UNAUTHENTICATED' | 'FORBIDDEN', requirement: string): GraphQLError {
  const message = code === 'UNAUTHENTICATED' ? `Unauthenticated: ${requirement}.` : `Forbidden: ${requirement}.`;
  return createGraphQLError(message, { extensions: { code } });
}

/** Why claimgate ended a stream before its source did. */
export type StreamEndCode = 'TOKEN_EXPIRED' | 'TOKEN_KEY_RETIRED';

/**
 * The last result of a subscription (SSE or WebSocket) that claimgate ends
 * because its token no longer holds: sent as a final error, then the stream
 * completes. Reconnect with a new token to go on.
 */
export function streamEndedError(code: StreamEndCode): GraphQLError {
  const message = code === 'TOKEN_EXPIRED'
    ? 'Token expired: this subscription has ended; subscribe again with a new token.'
    : 'Token key retired: the key that signed the token is no longer published; subscribe again with a new token.';
  return withoutStack(() => createGraphQLError(message, { extensions: { code } }));
}

/** An operation refused on a WebSocket connection that already runs `max` operations. */
export function tooManySubscriptionsError(max: number): GraphQLError {
  return withoutStack(() => createGraphQLError(
    `Too many subscriptions: this connection already runs ${max} operations (maxSubscriptionsPerConnection); complete one or open another connection.`,
    { extensions: { code: ERROR_CODES.TOO_MANY_SUBSCRIPTIONS, limit: 'maxSubscriptionsPerConnection', max } },
  ));
}
