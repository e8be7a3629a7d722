import { createHash } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { AUTH_RUNTIME, type AuthRuntime } from '../directives/auth-runtime.ts';
import { deniedRequirement } from '../directives/compile-guard.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Principal } from '../principal/principal.ts';

/** One kind of would-be denial seen in audit mode, and how many requests it happened in. */
export interface WouldDenyCount {
  /** `Type.field` where the denial would have been answered. */
  readonly coordinate: string;
  /** The requirement, as in the denial's message: `role admin`, `policy document.owner`. */
  readonly requirement: string;
  /** The `extensions.code` the caller would have got. */
  readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  readonly count: number;
}

/** Audit mode's counters, for metrics: one entry per coordinate, requirement and code (bounded by the schema). */
export interface AuditStats {
  /** True when the plugin runs in audit mode. */
  readonly enabled: boolean;
  /** The would-be denials counted so far, each once per request. */
  wouldDenyCounts(): WouldDenyCount[];
}

export interface AuthzRuntimes {
  readonly stats: AuditStats;
  /** What to add to a request's context once its principal is known. */
  extensionFor(principal: Principal | null | undefined): Record<symbol, AuthRuntime>;
}

/**
 * The per-request side of authorization: in enforce mode one shared object
 * (nothing allocated per request) that logs policy failures; in audit mode one
 * per request, which logs each would-be denial once per coordinate and
 * requirement (`authz.would_deny`, the subject hashed, never a claim value)
 * and counts it.
 */
export function createAuthzRuntimes(audit: boolean, logger: Logger): AuthzRuntimes {
  const counts = new Map<string, { coordinate: string; requirement: string; code: WouldDenyCount['code']; count: number }>();
  const policyFailed = (policy: string, coordinate: string, problem: string, error: unknown) => {
    // The error's class only: its message may quote the data or claims the policy read.
    logger.error('authz.policy_failed', { policy, coordinate, problem, error: error instanceof Error ? error.name : typeof error });
  };
  const enforcing: Record<symbol, AuthRuntime> = { [AUTH_RUNTIME]: Object.freeze({ audit: false, wouldDeny() {}, policyFailed }) };
  const stats: AuditStats = Object.freeze({
    enabled: audit,
    wouldDenyCounts: () => [...counts.values()].map((entry) => ({ ...entry })),
  });
  if (!audit) return { stats, extensionFor: () => enforcing };

  return {
    stats,
    extensionFor(principal) {
      const seen = new Set<string>();
      let subject: string | undefined;
      const runtime: AuthRuntime = {
        audit: true,
        policyFailed,
        wouldDeny(coordinate: string, denial: GraphQLError) {
          const requirement = deniedRequirement(denial);
          const code = denial.extensions.code as WouldDenyCount['code'];
          const key = `${coordinate}\u0000${requirement}\u0000${code}`;
          if (seen.has(key)) return;
          seen.add(key);
          const entry = counts.get(key);
          if (entry === undefined) counts.set(key, { coordinate, requirement, code, count: 1 });
          else entry.count++;
          if (principal != null) subject ??= hashSubject(principal);
          logger.warn('authz.would_deny', { coordinate, requirement, code, ...(principal == null ? {} : { subject }) });
        },
      };
      return { [AUTH_RUNTIME]: runtime };
    },
  };
}

/** A stable pseudonym for a caller: enough to tell callers apart in the log, not to name them. */
function hashSubject(principal: Principal): string {
  return createHash('sha256').update(`${principal.issuer}\n${principal.subject}`).digest('hex').slice(0, 16);
}
