/**
 * Where a claim lives in a token payload: a JSON Pointer (RFC 6901) when the
 * path starts with `/` (e.g. `/realm_access/roles`), else one top-level claim
 * name (e.g. `https://example.com/roles`, which contains slashes but is still
 * a single name).
 */
export type ClaimPath = readonly string[];

/**
 * Parses a claim address once, at start-up. Throws a TypeError naming the
 * problem for an empty address or a malformed pointer escape.
 */
export function parseClaimPath(address: string): ClaimPath {
  if (address === '') throw new TypeError('a claim address must not be empty');
  if (!address.startsWith('/')) return [address];
  return address
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) {
        throw new TypeError(`"${address}" is not a valid JSON Pointer: "~" must be followed by 0 or 1`);
      }
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** Returns the value at `path` in `claims`, or undefined. Own properties only. */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let value: unknown = claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Formats a claim path for messages and docs. */
export function formatClaimPath(path: ClaimPath): string {
  return path.length === 1 ? path[0]! : `/${path.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}
