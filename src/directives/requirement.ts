import type { Principal } from '../principal/principal.ts';
import { formatClaimPath, readClaim, type ClaimPath } from '../principal/claim-path.ts';

/**
 * One condition a caller must meet, decided at schema build. `key` identifies
 * equal requirements so that one reached twice (type and interface) is
 * checked once.
 */
export interface Requirement {
  readonly key: string;
  /** Ends the sentence "requires ...": names the requirement, never a caller's claim. */
  readonly description: string;
  /** Undefined for plain authentication, which every requirement implies. */
  readonly test: ((principal: Principal) => boolean) | undefined;
}

export const authenticated: Requirement = Object.freeze({ key: 'authenticated', description: 'authentication', test: undefined });

export function hasRole(role: string): Requirement {
  return { key: `role:${role}`, description: `role ${role}`, test: (principal) => principal.roles.includes(role) };
}

export function hasAnyRole(roles: readonly string[]): Requirement {
  if (roles.length === 1) return hasRole(roles[0]!);
  return {
    key: `anyRole:${JSON.stringify([...roles].sort())}`,
    description: `one of the roles ${roles.join(', ')}`,
    test: (principal) => roles.some((role) => principal.roles.includes(role)),
  };
}

export function hasScope(scope: string): Requirement {
  return { key: `scope:${scope}`, description: `scope ${scope}`, test: (principal) => principal.scopes.includes(scope) };
}

/** Apollo's @requiresScopes: the outer list is OR, each inner list AND. */
export function requiresScopes(alternatives: readonly (readonly string[])[]): Requirement {
  return {
    key: `scopes:${JSON.stringify(alternatives)}`,
    description: `scopes ${alternatives.map((all) => all.join(' and ')).join(' or ')}`,
    test: (principal) => alternatives.some((all) => all.every((scope) => principal.scopes.includes(scope))),
  };
}

export type ClaimValue = string | boolean | number;

/** The claim equals `value`, or is an array that contains it. Strict equality: `"true"` is not `true`. */
export function hasClaim(path: ClaimPath, value: ClaimValue): Requirement {
  const name = formatClaimPath(path);
  return {
    key: `claim:${JSON.stringify(path)}=${JSON.stringify(value)}`,
    description: `claim ${name} to be ${JSON.stringify(value)}`,
    test: (principal) => {
      const claim = readClaim(principal.claims, path);
      return claim === value || (Array.isArray(claim) && claim.includes(value));
    },
  };
}
