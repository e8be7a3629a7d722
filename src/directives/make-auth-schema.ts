import type { DocumentNode, GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { AuthMode } from './auth-directive-transformer.ts';
import { assertTypeDefsPlacement } from './assert-directive-placement.ts';
import { authDirectiveTransformer } from './auth-directive-transformer.ts';
import { authDirectiveTypeDefs } from './type-defs.ts';
import type { PolicyRegistry } from './policy.ts';

type TypeDefs = string | DocumentNode | readonly (string | DocumentNode)[];

export interface MakeAuthSchemaOptions {
  /** Your SDL, without claimgate's directive definitions (they are added). */
  readonly typeDefs: TypeDefs;
  /** Resolvers as for `makeExecutableSchema`. */
  readonly resolvers?: Parameters<typeof makeExecutableSchema>[0]['resolvers'];
  /** `protect-all` for default-deny. Default `default`. */
  readonly mode?: AuthMode;
  /** The functions `@policy` names, by name (see `authDirectiveTransformer`). */
  readonly policies?: PolicyRegistry;
}

/**
 * Builds an executable schema with claimgate's directives defined and
 * enforced: checks where the directives stand, builds with
 * `makeExecutableSchema`, then applies `authDirectiveTransformer` last.
 *
 * @example const schema = makeAuthSchema({ typeDefs, resolvers, mode: 'protect-all' })
 */
export function makeAuthSchema(options: MakeAuthSchemaOptions): GraphQLSchema {
  assertTypeDefsPlacement(options.typeDefs);
  const typeDefs = [authDirectiveTypeDefs, ...(Array.isArray(options.typeDefs) ? options.typeDefs : [options.typeDefs])];
  const schema = makeExecutableSchema({ typeDefs, ...(options.resolvers === undefined ? {} : { resolvers: options.resolvers }) });
  return authDirectiveTransformer(schema, {
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.policies === undefined ? {} : { policies: options.policies }),
  });
}
