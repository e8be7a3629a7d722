import type { GraphQLError } from 'graphql';
import { fieldDenialError } from '../errors.ts';
import type { Principal } from '../principal/principal.ts';
import type { Requirement } from './requirement.ts';

/**
 * Decides one field for one caller: undefined to allow, else the error to
 * answer with. Built once per field at schema build; a call is a few
 * comparisons, allocates nothing and never returns a promise.
 */
export type Guard = (principal: Principal | null | undefined) => GraphQLError | undefined;

/**
 * Compiles the requirements that reach a field into one guard. An anonymous
 * caller gets UNAUTHENTICATED, naming the first requirement; an
 * authenticated caller who misses one gets FORBIDDEN naming it.
 */
export function compileGuard(requirements: readonly Requirement[]): Guard {
  const unique = [...new Map(requirements.map((r) => [r.key, r])).values()];
  const checks = unique.filter((r) => r.test !== undefined);
  const tests = checks.map((r) => r.test!);
  const denials = checks.map((r) => denialError('FORBIDDEN', r.description));
  const anonymous = denialError('UNAUTHENTICATED', (checks[0] ?? unique[0]!).description);
  const count = tests.length;
  return (principal) => {
    if (principal == null) return anonymous;
    for (let i = 0; i < count; i++) {
      if (!tests[i]!(principal)) return denials[i];
    }
    return undefined;
  };
}

const REQUIREMENTS = new WeakMap<GraphQLError, string>();

/** A prebuilt field denial that remembers the requirement it names (for audit mode's log lines). */
export function denialError(code: 'UNAUTHENTICATED' | 'FORBIDDEN', description: string): GraphQLError {
  const error = fieldDenialError(code, `requires ${description}`);
  REQUIREMENTS.set(error, description);
  return error;
}

/** The requirement a denial names, e.g. `role admin`. */
export function deniedRequirement(error: GraphQLError): string {
  return REQUIREMENTS.get(error) ?? 'unknown';
}
