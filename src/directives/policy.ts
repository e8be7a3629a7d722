import type { GraphQLResolveInfo } from 'graphql';
import type { Principal } from '../principal/principal.ts';

/**
 * What a policy function is given. For a policy on a field (or on a scalar or
 * enum the field returns), `parent` is the object the field belongs to and
 * `args` the field's arguments. For a policy on an object type or interface,
 * `parent` is the object itself (wherever it is returned: a field, a list
 * item, an interface or union, a federation entity) and `args` is empty.
 */
export interface PolicyInput<TContext = Record<string, unknown>> {
  /** The verified caller, or null for an anonymous one. */
  readonly principal: Principal | null;
  readonly parent: unknown;
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: TContext;
  readonly info: GraphQLResolveInfo;
}

/** Allows only by returning (or resolving to) `true`; anything else, a throw or a rejection denies. */
export type Policy<TContext = any> = (input: PolicyInput<TContext>) => boolean | Promise<boolean>;

/** Policies by the name `@policy` uses. */
export type PolicyRegistry = Readonly<Record<string, Policy>>;

/**
 * One `@policy(policies: ...)` usage, Apollo's semantics: the outer list is
 * OR, each inner list AND. Several usages that reach one element all apply (AND).
 */
export interface PolicyRequirement {
  /** Ends the sentence "requires ...", as Requirement's does. */
  readonly description: string;
  readonly alternatives: readonly (readonly string[])[];
}

export function policyRequirement(alternatives: readonly (readonly string[])[]): PolicyRequirement {
  return {
    description: `policy ${alternatives.map((all) => all.join(' and ')).join(' or ')}`,
    alternatives,
  };
}

/** Policy names: printable, no white space (they end up in error messages and logs). */
const POLICY_NAME = /^[A-Za-z0-9_.:/@-]+$/;

export function isPolicyName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && POLICY_NAME.test(name);
}

/**
 * The registry checked against the names the schema uses: every name used is
 * registered, and every entry registered is a function under a valid name.
 * Throws a TypeError naming the first problem; returns a frozen null-prototype
 * copy, so `constructor` or `__proto__` can never resolve to a policy.
 */
export function checkPolicyRegistry(registry: unknown, used: ReadonlyMap<string, string>, where: string): PolicyRegistry {
  if (registry !== undefined && (registry === null || typeof registry !== 'object' || Array.isArray(registry))) {
    throw new TypeError(`${where}: policies must be an object of functions by policy name, e.g. { "document.owner": ({ principal, parent }) => ... }.`);
  }
  const copy: Record<string, Policy> = Object.create(null);
  for (const [name, policy] of Object.entries((registry ?? {}) as Record<string, unknown>)) {
    if (!isPolicyName(name)) throw new TypeError(`${where}: policy name ${JSON.stringify(name)} is not valid (letters, digits and _ . : / @ - only).`);
    if (typeof policy !== 'function') throw new TypeError(`${where}: policy "${name}" must be a function, not ${policy === null ? 'null' : typeof policy}.`);
    copy[name] = policy as Policy;
  }
  for (const [name, coordinate] of used) {
    if (copy[name] === undefined) {
      const known = Object.keys(copy);
      throw new TypeError(`${where}: policy "${name}" is used by @policy on ${coordinate} but not registered (registered: ${known.length === 0 ? 'none' : known.join(', ')}).`);
    }
  }
  return Object.freeze(copy);
}

/** Called when a policy throws, rejects or returns something other than a boolean: it denied. */
export type PolicyFailure = (policy: string, problem: 'threw' | 'rejected' | 'returned a non-boolean', error: unknown) => void;

/**
 * Decides the usages that reach one element: true only when every usage has an
 * alternative whose policies all return `true`. Stays synchronous while the
 * policies do; short-circuits like `||` and `&&`.
 */
export function evaluatePolicies(
  usages: readonly PolicyRequirement[],
  registry: PolicyRegistry,
  input: PolicyInput,
  onFailure: PolicyFailure,
): { failed: PolicyRequirement | undefined } | Promise<{ failed: PolicyRequirement | undefined }> {
  const call = (name: string): boolean | Promise<boolean> => {
    let result: unknown;
    try {
      result = registry[name]!(input);
    } catch (error) {
      onFailure(name, 'threw', error);
      return false;
    }
    if (typeof result === 'boolean') return result;
    if (result !== null && typeof (result as PromiseLike<unknown>)?.then === 'function') {
      return Promise.resolve(result).then(
        (value) => {
          if (typeof value === 'boolean') return value;
          onFailure(name, 'returned a non-boolean', undefined);
          return false;
        },
        (error: unknown) => {
          onFailure(name, 'rejected', error);
          return false;
        },
      );
    }
    onFailure(name, 'returned a non-boolean', undefined);
    return false;
  };
  const allOf = (names: readonly string[], from: number): boolean | Promise<boolean> => {
    for (let i = from; i < names.length; i++) {
      const ok = call(names[i]!);
      if (typeof ok !== 'boolean') return ok.then((value) => value && allOf(names, i + 1));
      if (!ok) return false;
    }
    return true;
  };
  const anyOf = (alternatives: readonly (readonly string[])[], from: number): boolean | Promise<boolean> => {
    for (let i = from; i < alternatives.length; i++) {
      const ok = allOf(alternatives[i]!, 0);
      if (typeof ok !== 'boolean') return ok.then((value) => value || anyOf(alternatives, i + 1));
      if (ok) return true;
    }
    return false;
  };
  const each = (from: number): { failed: PolicyRequirement | undefined } | Promise<{ failed: PolicyRequirement | undefined }> => {
    for (let i = from; i < usages.length; i++) {
      const ok = anyOf(usages[i]!.alternatives, 0);
      if (typeof ok !== 'boolean') return ok.then((value) => (value ? each(i + 1) : { failed: usages[i] }));
      if (!ok) return { failed: usages[i] };
    }
    return PASSED;
  };
  return each(0);
}

const PASSED = Object.freeze({ failed: undefined });
