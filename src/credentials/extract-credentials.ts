/** Where a request's token came from. */
export type CredentialSource = 'header' | 'cookie';

export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string; readonly source: CredentialSource }
  /** The request's credentials break RFC 6750: answered 401 invalid_request. */
  | { readonly kind: 'invalid'; readonly problem: string };

export interface CredentialRequest {
  /** Every Authorization header line the request carried (duplicates kept). */
  readonly authorization: readonly string[];
  /** Every Cookie header line the request carried. */
  readonly cookie: readonly string[];
}

/** RFC 6750 §2.1: `Bearer` 1*SP b64token, scheme case-insensitive. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const NONE: Credentials = Object.freeze({ kind: 'none' });

/**
 * Reads the request's credentials: the Authorization header, else (when a
 * cookie name is configured) that cookie. A present Authorization header
 * always wins, even when its token turns out invalid: a cookie never rescues
 * a bad header.
 */
export function extractCredentials(request: CredentialRequest, cookieName: string | undefined): Credentials {
  const { authorization } = request;
  if (authorization.length > 1) return invalid('more than one Authorization header');
  if (authorization.length === 1) {
    const match = BEARER.exec(authorization[0]!);
    if (match === null) {
      return invalid(/^Bearer\s*$/i.test(authorization[0]!) ? 'Bearer without a token' : 'not a Bearer credential');
    }
    return { kind: 'token', token: match[1]!, source: 'header' };
  }
  if (cookieName === undefined) return NONE;
  const values = cookieValues(request.cookie, cookieName);
  if (values.length === 0) return NONE;
  if (values.length > 1) return invalid(`more than one ${cookieName} cookie`);
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(values[0]!)) return invalid(`the ${cookieName} cookie is not a token`);
  return { kind: 'token', token: values[0]!, source: 'cookie' };
}

function invalid(problem: string): Credentials {
  return { kind: 'invalid', problem };
}

/** The values of every cookie named `name` (RFC 6265 §5.4; a quoted value is unquoted). */
function cookieValues(lines: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      values.push(value);
    }
  }
  return values;
}
