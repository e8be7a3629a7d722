export type BearerErrorCode = 'invalid_request' | 'invalid_token';

/**
 * Builds an RFC 6750 `WWW-Authenticate: Bearer` challenge. Values are quoted
 * strings; characters that cannot appear in one are dropped, not escaped,
 * because they only ever come from our own fixed descriptions.
 */
export function bearerChallenge(error: BearerErrorCode, description: string): string {
  return `Bearer error="${error}", error_description="${description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}
