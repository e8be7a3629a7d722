import type { JWTPayload } from 'jose';
import { readClaim, type ClaimPath } from './claim-path.ts';

/**
 * Who is calling, as verified once per request. Frozen: resolvers and
 * directives read it, nothing changes it.
 */
export interface Principal {
  /** The `sub` claim ("" when the token has none). */
  readonly subject: string;
  /** The issuer whose keys verified the token. */
  readonly issuer: string;
  /** Roles, read from the configured roles claim only. */
  readonly roles: readonly string[];
  /** OAuth scopes: the configured scopes claim, else `scope` (space-separated) and `scp`. */
  readonly scopes: readonly string[];
  /** Expiry, in seconds since the epoch (the `exp` claim). */
  readonly expiresAt: number;
  /** Every verified claim, for custom checks. */
  readonly claims: Readonly<JWTPayload>;
}

export interface PrincipalOptions {
  readonly issuer: string;
  readonly rolesClaim: ClaimPath;
  /** When set, scopes come from this claim alone. */
  readonly scopesClaim?: ClaimPath | undefined;
}

/**
 * Builds the principal of a verified payload. Roles are an array of strings or
 * one string; any other shape gives no roles (never a fallback to another
 * claim).
 */
export function createPrincipal(payload: JWTPayload, options: PrincipalOptions): Principal {
  const scopes =
    options.scopesClaim === undefined
      ? unique([...(typeof payload.scope === 'string' ? scopeList(payload.scope) : []), ...scopeList(payload.scp)])
      : unique(scopeList(readClaim(payload, options.scopesClaim)));
  return Object.freeze({
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    issuer: options.issuer,
    roles: Object.freeze(roleList(readClaim(payload, options.rolesClaim))),
    scopes: Object.freeze(scopes),
    expiresAt: payload.exp as number,
    claims: deepFreeze(payload),
  });
}

function roleList(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value) && value.every((role) => typeof role === 'string')) return [...value];
  return [];
}

/** A space-separated string (`scope`, RFC 8693) or an array of strings (`scp`). */
function scopeList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Freezes `value` and everything under it, including what sits under an already frozen object. */
function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  return value;
}
