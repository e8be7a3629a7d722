// Server 4, what Apollo Server users do: a context function verifies the
// token with jose against the issuer's JWKS, and graphql-shield rules
// (graphql-middleware) guard the same fields the SDL's directives guard.
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { allow, and, rule, shield } from 'graphql-shield';
import { applyMiddleware } from 'graphql-middleware';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { principalFromPayload } from './bench-principal.ts';
import type { Principal } from '../../src/principal/principal.ts';

interface Context {
  readonly principal: Principal | null;
}

const issuer = required('AUTH_ISSUER');
const audience = required('AUTH_AUDIENCE');
const jwks = createRemoteJWKSet(new URL(required('AUTH_JWKS_URI')));

// 'contextual' caches each rule's answer per request: 2,000 Document fields cost one check.
const isAuthenticated = rule({ cache: 'contextual' })((_parent, _args, context: Context) => context.principal !== null);
// shield refuses two rules of one name, so each role gets exactly one rule.
const hasRole = (role: string) =>
  rule(`hasRole:${role}`, { cache: 'contextual' })(
    (_parent, _args, context: Context) => context.principal?.roles.includes(role) === true,
  );
const isAdmin = and(isAuthenticated, hasRole('admin'));
const isEditor = and(isAuthenticated, hasRole('editor'));

// The SDL's directives, written out by hand as shield users do.
const permissions = shield(
  {
    Query: { me: isAuthenticated, adminReport: isAdmin },
    Secret: isAuthenticated,
    Document: isEditor,
    User: { email: isAdmin },
    Mutation: { renameDocument: isEditor },
  },
  { fallbackRule: allow },
);

const server = new ApolloServer<Context>({ schema: applyMiddleware(createPlainExampleSchema(), permissions) });
await startStandaloneServer(server, {
  listen: { port: Number(process.env['PORT'] ?? 0), host: process.env['HOST'] ?? '127.0.0.1' },
  context: async ({ req }) => {
    const header = req.headers.authorization;
    if (header === undefined) return { principal: null };
    try {
      const { payload } = await jwtVerify(header.replace(/^Bearer /i, ''), jwks, {
        issuer,
        audience,
        algorithms: ['RS256'],
      });
      return { principal: principalFromPayload(payload, issuer) };
    } catch {
      throw new GraphQLError('Unauthenticated', {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
      });
    }
  },
});
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new TypeError(`${name} must be set.`);
  return value;
}
