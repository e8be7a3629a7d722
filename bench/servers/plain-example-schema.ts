import { readFileSync } from 'node:fs';
import { parse, print, visit, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createExampleResolvers } from '../../src/example/example-resolvers.ts';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);
/** Federation-only directives: meaningless outside a supergraph, and undefined in plain SDL. */
const FEDERATION_DIRECTIVES = new Set(['key', 'link', 'composeDirective']);

/**
 * The example SDL as the baselines serve it: the `extend schema @link(...)`
 * block and `@key` removed, claimgate's and Apollo's directive definitions
 * added so the auth directives stay readable with `getDirective`.
 */
export function plainExampleTypeDefs(): string {
  const example = parse(readFileSync(new URL('example.graphql', SCHEMA_DIR), 'utf8'));
  const stripped = visit(example, {
    SchemaExtension: () => null,
    Directive: (node) => (FEDERATION_DIRECTIVES.has(node.name.value) ? null : undefined),
  });
  return [
    readFileSync(new URL('claimgate-directives.graphql', SCHEMA_DIR), 'utf8'),
    readFileSync(new URL('apollo-authorization.graphql', SCHEMA_DIR), 'utf8'),
    print(stripped),
  ].join('\n');
}

/** The example resolvers without `__resolveReference`, which only a federation subgraph calls. */
export function plainExampleResolvers() {
  const { Document, User, ...resolvers } = createExampleResolvers();
  const { __resolveReference: _document, ...documentResolvers } = Document;
  const { __resolveReference: _user, ...userResolvers } = User;
  return { ...resolvers, Document: documentResolvers, User: userResolvers };
}

/** The executable example schema with every auth directive inert. */
export function createPlainExampleSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: plainExampleTypeDefs(), resolvers: plainExampleResolvers() });
}
