// @apollo/server with no auth, on the same schema and resolvers: the ceiling
// for Apollo + graphql-shield, so that pair's ratio is the cost of its auth alone.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { HOT_PRINCIPAL } from './hot-principal.ts';

const server = new ApolloServer({ schema: createPlainExampleSchema() });
await startStandaloneServer(server, {
  listen: { port: Number(process.env['PORT'] ?? 0), host: process.env['HOST'] ?? '127.0.0.1' },
  context: async () => ({ principal: HOT_PRINCIPAL }),
});
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
