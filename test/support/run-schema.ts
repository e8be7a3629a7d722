import { graphql, type GraphQLSchema } from 'graphql';
import type { Principal } from '../../src/principal/principal.ts';

/** A verified caller named alice, with these roles and nothing else. */
export const testPrincipal = (roles: string[] = []): Principal =>
  Object.freeze({ subject: 'alice', issuer: 'https://id.test', roles, scopes: [], expiresAt: 0, claims: {} });

/**
 * Executes `source` on `schema` in process with `principal` in the context
 * (plus `extra`), and returns the data as JSON and each error as [path, message].
 */
export async function runAs(schema: GraphQLSchema, source: string, principal: Principal | null, extra: Record<string | symbol, unknown> = {}) {
  const result = await graphql({ schema, source, contextValue: { principal, ...extra } });
  return { data: JSON.parse(JSON.stringify(result.data ?? null)), errors: (result.errors ?? []).map((e) => [e.path?.join('.'), e.message]) };
}
