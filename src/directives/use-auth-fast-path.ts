import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../principal/principal.ts';
import { getAuthPlan } from './auth-plan.ts';
import type { Guard } from './compile-guard.ts';
import { reachableGuards } from './reachable-guards.ts';

/**
 * Decides once per operation instead of once per field: when every guard an
 * operation could reach lets the caller through, the operation runs on the
 * unguarded schema, so a large allowed result pays no per-field check at all.
 * Otherwise — a single possible denial, a subscription, federation's
 * `_entities` — it runs on the guarded schema exactly as without this plugin.
 * The set of reachable guards is computed once per parsed document (Yoga
 * caches parsed documents, so repeated queries share it).
 */
export function useAuthFastPath(): Plugin {
  const cache = new WeakMap<DocumentNode, Map<string | null | undefined, Guard[] | null>>();
  return {
    onExecute({ args }) {
      const plan = getAuthPlan(args.schema);
      if (plan === undefined) return;
      let byOperation = cache.get(args.document);
      if (byOperation === undefined) {
        byOperation = new Map();
        cache.set(args.document, byOperation);
      }
      let guards = byOperation.get(args.operationName);
      if (guards === undefined) {
        const operation = getOperationAST(args.document, args.operationName);
        guards = !operation || operation.operation === 'subscription' ? null : reachableGuards(args.schema, plan, args.document, operation);
        byOperation.set(args.operationName, guards);
      }
      if (guards === null) return;
      const principal = (args.contextValue as { principal?: Principal | null } | undefined)?.principal;
      for (const guard of guards) {
        if (guard(principal) !== undefined) return;
      }
      args.schema = plan.unguarded;
    },
  };
}
