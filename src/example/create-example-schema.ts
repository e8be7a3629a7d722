import { readFileSync } from 'node:fs';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
type Resolvers = NonNullable<Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>["resolvers"]>;
import type { AuthMode } from '../directives/auth-directive-transformer.ts';
import { assertDirectivePlacement } from '../directives/assert-directive-placement.ts';
import { authDirectiveTransformer } from '../directives/auth-directive-transformer.ts';
import { authDirectiveTypeDefs } from '../directives/type-defs.ts';
import { createExampleResolvers } from './example-resolvers.ts';
import { examplePolicies } from './example-policies.ts';

/** The example API's SDL (`schema/example.graphql`) with claimgate's directive definitions. */
export const exampleTypeDefs: string = `${authDirectiveTypeDefs}\n${readFileSync(new URL('../../schema/example.graphql', import.meta.url), 'utf8')}`;

/**
 * The example API as a Federation 2 subgraph: `buildSubgraphSchema` first,
 * then the auth transformer, last.
 */
export function createExampleSchema(mode: AuthMode = 'default'): GraphQLSchema {
  const document = parse(exampleTypeDefs);
  assertDirectivePlacement(document.definitions);
  const subgraph = buildSubgraphSchema({ typeDefs: document, resolvers: createExampleResolvers() as unknown as Resolvers });
  return authDirectiveTransformer(subgraph, { mode, policies: examplePolicies });
}
