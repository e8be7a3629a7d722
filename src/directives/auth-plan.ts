import type { GraphQLSchema } from 'graphql';
import type { Guard } from './compile-guard.ts';
import type { ProtectionPlan } from './plan-protection.ts';

/**
 * What `authDirectiveTransformer` decided for a schema: the guard of every
 * protected field, and the schema as it was before any resolver was wrapped.
 */
export interface AuthPlan {
  /** "Type.field" → guard, for every protected field of an object type. */
  readonly fieldGuards: ReadonlyMap<string, Guard>;
  /** Type name → guard of its type-level requirements (federation reference resolvers). */
  readonly typeGuards: ReadonlyMap<string, Guard>;
  /** What protects each field, as planned (the protection report prints it). */
  readonly protection: ProtectionPlan;
  /** The same types and resolvers, without the guards. */
  readonly unguarded: GraphQLSchema;
}

const plans = new WeakMap<GraphQLSchema, AuthPlan>();

export function recordAuthPlan(guarded: GraphQLSchema, plan: AuthPlan): void {
  plans.set(guarded, plan);
}

/** The plan behind a schema returned by `authDirectiveTransformer`, if it is one. */
export function getAuthPlan(schema: GraphQLSchema): AuthPlan | undefined {
  return plans.get(schema);
}
