import type { IncomingMessage } from 'node:http';
import { hasClaimgateCode } from '../claimgate-error.ts';
import { extractCredentials, type Credentials } from '../credentials/extract-credentials.ts';
import { authUnavailableError, forgeableCookieRequestError, unauthenticatedRequestError } from '../errors.ts';
import { KeysUnavailableError } from '../keys/keys-unavailable-error.ts';
import type { Principal } from '../principal/principal.ts';
import { TokenRejectedError } from '../verification/token-rejected-error.ts';
import type { TokenVerifier } from '../verification/token-verifier.ts';

/** What claimgate adds to every request's GraphQL context. */
export interface AuthContext {
  /** The verified caller, or null for an anonymous request. */
  readonly principal: Principal | null;
}

export interface AuthContextOptions {
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  /** Cookie read when there is no Authorization header; undefined ignores cookies. */
  readonly cookieName?: string | undefined;
}

interface InitialContext {
  readonly request: Request;
  /** Node's request, present when Yoga runs on node:http; keeps duplicate headers apart. */
  readonly req?: IncomingMessage;
}

const ANONYMOUS: AuthContext = Object.freeze({ principal: null });

/**
 * The Yoga context factory: reads the request's credentials and verifies the
 * token once per request. Resolvers and directives read `context.principal`
 * and never the headers. A bad token rejects the whole request (401, nothing
 * executes); no token executes anonymously. Synchronous when the token is
 * already verified (cache hit) or absent.
 *
 * @example createYoga({ schema, context: createAuthContext({ verifier }) })
 */
export function createAuthContext(options: AuthContextOptions): (initial: InitialContext) => AuthContext | Promise<AuthContext> {
  const { verifier, cookieName } = options;
  return (initial) => {
    const credentials = readCredentials(initial, cookieName);
    if (credentials.kind === 'none') return ANONYMOUS;
    if (credentials.kind === 'invalid') throw unauthenticatedRequestError('invalid_request', credentials.problem);
    if (credentials.source === 'cookie' && isForgeable(initial.request)) throw forgeableCookieRequestError(cookieName!);
    let result: Principal | Promise<Principal>;
    try {
      result = verifier.verify(credentials.token);
    } catch (error) {
      throw toRequestError(error);
    }
    if (result instanceof Promise) {
      return result.then(
        (principal) => ({ principal }),
        (error: unknown) => {
          throw toRequestError(error);
        },
      );
    }
    return { principal: result };
  };
}

function readCredentials(initial: InitialContext, cookieName: string | undefined): Credentials {
  const distinct = initial.req?.headersDistinct;
  if (distinct !== undefined) {
    return extractCredentials({ authorization: distinct.authorization ?? [], cookie: distinct.cookie ?? [] }, cookieName);
  }
  const { headers } = initial.request;
  const authorization = headers.get('authorization');
  const cookie = headers.get('cookie');
  return extractCredentials({ authorization: authorization === null ? [] : [authorization], cookie: cookie === null ? [] : [cookie] }, cookieName);
}

const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * A browser sends cookies along on cross-site requests. It can do so without
 * asking the server first (no CORS preflight) only for GET and for POST with
 * a form-like content type and no custom header, so those requests may not
 * authenticate with a cookie. Everything else needs a preflight, which our
 * CORS settings refuse for origins not in CORS_ORIGINS.
 */
function isForgeable(request: Request): boolean {
  if (request.headers.has('x-requested-with')) return false;
  if (request.method !== 'POST') return true;
  const contentType = request.headers.get('content-type');
  if (contentType === null) return true;
  return SIMPLE_CONTENT_TYPES.has(contentType.split(';')[0]!.trim().toLowerCase());
}

function toRequestError(error: unknown): Error {
  // By stable code, not instanceof: a second copy of claimgate in node_modules throws the same codes.
  if (hasClaimgateCode(error, TokenRejectedError.code)) return unauthenticatedRequestError('invalid_token', (error as TokenRejectedError).description);
  if (hasClaimgateCode(error, KeysUnavailableError.code)) return authUnavailableError();
  // Anything else is our bug; refuse the token rather than risk accepting it.
  return unauthenticatedRequestError('invalid_token', 'token could not be verified');
}
