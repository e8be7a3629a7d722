import type { GraphQLError, GraphQLSchema } from 'graphql';

/**
 * Told of each field or type a caller was refused: `coordinate` is the
 * schema coordinate the guard was built for (`Type.field`, or `Type` for a
 * type refused where it is resolved), `code` the error's code, `audit` true
 * for a would-be denial (audit mode: reported, not enforced).
 */
export type DenialObserver = (coordinate: string, code: 'UNAUTHENTICATED' | 'FORBIDDEN', audit: boolean) => void;

const OBSERVERS = new WeakMap<GraphQLSchema, DenialObserver>();

/** Registers who hears of the denials of an executable schema (the plugin: metrics and span events). */
export function observeDenials(schema: GraphQLSchema, observer: DenialObserver): void {
  OBSERVERS.set(schema, observer);
}

/**
 * Reports a denial to the observer of the schema being executed. Called on
 * the denial path only: the allow path of a guard stays untouched.
 */
export function reportDenial(schema: GraphQLSchema, coordinate: string, denial: GraphQLError, options?: { readonly audit?: boolean }): void {
  const observer = OBSERVERS.get(schema);
  if (observer !== undefined) observer(coordinate, denial.extensions.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'UNAUTHENTICATED', options?.audit === true);
}
