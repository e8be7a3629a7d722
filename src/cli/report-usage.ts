export const REPORT_USAGE = `usage: claimgate report <schema.graphql | module.js> [--json] [--fail-on-unprotected] [--mode default|protect-all]

Prints what protects every field of every type reachable from the root types:
the field's own directive, its type's, an interface's, the returned type's,
protect-all, a policy, @public, or UNPROTECTED.

  <schema.graphql>       SDL (.graphql, .gql, .graphqls); a federation subgraph
                         (it @links specs.apollo.dev/federation) is built with
                         @apollo/subgraph, which must then be installed
  <module.js>            a module exporting a GraphQLSchema as default or \`schema\`
                         (or a function returning one)
  --json                 the report as JSON
  --fail-on-unprotected  exit 1 when some field is UNPROTECTED (for CI)
  --mode protect-all     plan as AUTH_MODE=protect-all does (default: default)
`;
