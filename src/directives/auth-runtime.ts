import type { GraphQLError, GraphQLSchema } from 'graphql';
import { reportDenial } from './denial-observer.ts';

/** Whether authorization denials are enforced, or only logged and counted (audit mode, for rollouts). */
export type Enforcement = 'enforce' | 'audit';

const AUDITED = Object.freeze({ audit: true });

/**
 * What the guards need from the request beyond the principal: whether denials
 * are enforced or only recorded (audit mode), and where policy failures are
 * reported. useClaimgate puts one in every context under AUTH_RUNTIME; a
 * schema run without it enforces, and reports nothing.
 */
export interface AuthRuntime {
  /** True in audit mode: a would-be denial is recorded and the field resolves as if allowed. */
  readonly audit: boolean;
  /** Records a would-be denial (audit mode only). */
  wouldDeny(coordinate: string, denial: GraphQLError): void;
  /** A policy threw, rejected or returned a non-boolean: reported with its name, never the caller's claims. */
  policyFailed(policy: string, coordinate: string, problem: string, error: unknown): void;
}

/** The context key useClaimgate sets; a symbol, so no client input can reach it. */
export const AUTH_RUNTIME: unique symbol = Symbol.for('claimgate.authRuntime');

export const ENFORCING_RUNTIME: AuthRuntime = Object.freeze({
  audit: false,
  wouldDeny() {},
  policyFailed() {},
});

export function authRuntimeOf(context: unknown): AuthRuntime {
  return (context as { [AUTH_RUNTIME]?: AuthRuntime } | null | undefined)?.[AUTH_RUNTIME] ?? ENFORCING_RUNTIME;
}

/**
 * The denial to answer with, or undefined when the runtime is auditing (then
 * the would-be denial is recorded and the caller gets the data).
 */
export function enforce(context: unknown, schema: GraphQLSchema, coordinate: string, denial: GraphQLError): GraphQLError | undefined {
  const runtime = authRuntimeOf(context);
  // Metrics and the span event hear of every denial, would-be ones marked as such.
  reportDenial(schema, coordinate, denial, runtime.audit ? AUDITED : undefined);
  if (!runtime.audit) return denial;
  runtime.wouldDeny(coordinate, denial);
  return undefined;
}
