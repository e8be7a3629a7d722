import { readFileSync } from 'node:fs';

const read = (name: string) => readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8');

/** SDL of claimgate's directives: @auth, @hasRole, @hasAnyRole, @hasScope, @hasClaim, @public. */
export const authDirectiveTypeDefs: string = read('claimgate-directives.graphql');

/**
 * SDL of Apollo Router's @authenticated, @requiresScopes and @policy, for schemas that
 * are not federation subgraphs (a subgraph imports them with @link instead).
 */
export const apolloAuthorizationTypeDefs: string = read('apollo-authorization.graphql');

/** Names of claimgate's own directives. */
export const CLAIMGATE_DIRECTIVES = Object.freeze(['auth', 'hasRole', 'hasAnyRole', 'hasScope', 'hasClaim', 'public']);

/** Names Apollo's authorization directives may carry (imported, or namespaced by @link). */
export const APOLLO_DIRECTIVES = Object.freeze({
  authenticated: Object.freeze(['authenticated', 'federation__authenticated']),
  requiresScopes: Object.freeze(['requiresScopes', 'federation__requiresScopes']),
  policy: Object.freeze(['policy', 'federation__policy']),
});
