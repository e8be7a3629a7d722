// The example API (schema/example.graphql) written code-first with Pothos and
// @pothos/plugin-directives, as a Pothos user would: directives in the
// options of each type and field, no directive definitions in the schema.
// It serves the same data (the example resolvers' store), so the shared
// bypass matrix must give the same answers as on the SDL schema.
import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import type { GraphQLSchema } from 'graphql';
import { createExampleResolvers, type ExampleContext } from '../../src/example/example-resolvers.ts';
import type { Principal } from '../../src/principal/principal.ts';

type Where = 'OBJECT' | 'INTERFACE' | 'FIELD_DEFINITION';

export type PothosDirectives = {
  auth: { locations: Where; args: Record<string, never> };
  public: { locations: Where; args: Record<string, never> };
  hasRole: { locations: Where; args: { role: string } };
  hasClaim: { locations: Where; args: { claim: string; value: string | number | boolean } };
  requiresScopes: { locations: Where; args: { scopes: string[][] } };
};

interface NoteShape { readonly __typename: 'PublicNote'; readonly id: string; readonly text: string }
interface DocumentShape { readonly __typename?: 'Document'; readonly id: string; readonly title: string }
interface UserShape { readonly id: string; readonly name: string; readonly email: string }

/**
 * Builds the Pothos example schema. `unordered` writes graphql-tools' object
 * shape (`useGraphQLToolsUnorderedDirectives`) instead of Pothos' default list.
 */
export function createPothosExampleSchema(options: { unordered?: boolean } = {}): GraphQLSchema {
  const store = createExampleResolvers();
  const builder = new SchemaBuilder<{ Context: ExampleContext; Directives: PothosDirectives; DefaultFieldNullability: false }>({
    plugins: [DirectivesPlugin],
    defaultFieldNullability: false,
    ...(options.unordered ? { directives: { useGraphQLToolsUnorderedDirectives: true } } : {}),
  });

  const Viewer = builder.objectRef<Principal>('Viewer').implement({
    fields: (t) => ({
      sub: t.string({ resolve: (p) => p.subject }),
      issuer: t.string({ resolve: (p) => p.issuer }),
      roles: t.stringList({ resolve: (p) => [...p.roles] }),
      scopes: t.stringList({ resolve: (p) => [...p.scopes] }),
    }),
  });
  const Secret = builder.objectRef<{ value: string }>('Secret').implement({
    directives: [{ name: 'auth', args: {} }],
    fields: (t) => ({ value: t.exposeString('value') }),
  });
  const resolveType = (value: object) => (value as { __typename?: string }).__typename ?? 'Document';
  const Node = builder.interfaceRef<{ id: string }>('Node').implement({ resolveType, fields: (t) => ({ id: t.exposeID('id') }) });
  const User = builder.objectRef<UserShape>('User').implement({
    fields: (t) => ({
      id: t.exposeID('id'),
      name: t.exposeString('name'),
      email: t.exposeString('email', { nullable: true, directives: [{ name: 'hasRole', args: { role: 'admin' } }] }),
    }),
  });
  const PublicNote = builder.objectRef<NoteShape>('PublicNote').implement({
    interfaces: [Node],
    directives: [{ name: 'public', args: {} }],
    fields: (t) => ({ text: t.exposeString('text') }),
  });
  const Document = builder.objectRef<DocumentShape>('Document').implement({
    interfaces: [Node],
    directives: [{ name: 'hasRole', args: { role: 'editor' } }],
    fields: (t) => ({
      title: t.exposeString('title'),
      author: t.field({ type: User, nullable: true, resolve: () => store.Document.author() ?? null }),
    }),
  });
  const SearchResult = builder.unionType('SearchResult', { types: [PublicNote, Document], resolveType });

  const q = store.Query;
  builder.queryType({
    fields: (t) => ({
      publicInfo: t.string({ directives: [{ name: 'public', args: {} }], resolve: q.publicInfo }),
      me: t.field({ type: Viewer, nullable: true, directives: [{ name: 'auth', args: {} }], resolve: (_r, _a, context) => context.principal }),
      adminReport: t.string({ nullable: true, directives: [{ name: 'hasRole', args: { role: 'admin' } }], resolve: q.adminReport }),
      secretOfTheDay: t.field({ type: Secret, nullable: true, directives: [{ name: 'public', args: {} }], resolve: q.secretOfTheDay }),
      node: t.field({
        type: Node,
        nullable: true,
        directives: [{ name: 'public', args: {} }],
        args: { id: t.arg.id({ required: true }) },
        resolve: (_r, args) => q.node(undefined, { id: String(args.id) }) as { id: string } | null,
      }),
      search: t.field({
        type: [SearchResult],
        nullable: { list: false, items: true },
        directives: [{ name: 'public', args: {} }],
        args: { q: t.arg.string({ required: true }) },
        resolve: () => q.search() as (NoteShape | DocumentShape)[],
      }),
      verifiedNote: t.string({ nullable: true, directives: [{ name: 'hasClaim', args: { claim: 'email_verified', value: true } }], resolve: q.verifiedNote }),
      scopedReport: t.string({ nullable: true, directives: [{ name: 'requiresScopes', args: { scopes: [['reports:read'], ['admin']] } }], resolve: q.scopedReport }),
      documents: t.field({
        type: [Document],
        directives: [{ name: 'public', args: {} }],
        args: { limit: t.arg.int({ required: true, defaultValue: 1000 }) },
        resolve: (_r, args) => q.documents(undefined, { limit: args.limit }),
      }),
      user: t.field({ type: User, nullable: true, directives: [{ name: 'public', args: {} }], args: { id: t.arg.id({ required: true }) }, resolve: (_r, args) => q.user(undefined, { id: String(args.id) }) }),
    }),
  });
  builder.mutationType({
    fields: (t) => ({
      renameDocument: t.field({
        type: Document,
        nullable: true,
        directives: [{ name: 'hasRole', args: { role: 'editor' } }],
        args: { id: t.arg.id({ required: true }), title: t.arg.string({ required: true }) },
        resolve: (_r, args) => store.Mutation.renameDocument(undefined, { id: String(args.id), title: args.title }),
      }),
    }),
  });
  return builder.toSchema();
}
