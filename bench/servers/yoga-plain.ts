// Server 2, the ceiling: graphql-yoga on the same schema and resolvers with no
// auth at all. Every request sees the hot token's principal without verifying
// anything, so `me` resolves the same fields as on the servers that verify.
import { createYoga } from 'graphql-yoga';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { listen } from './listen.ts';
import type { Principal } from '../../src/principal.ts';

const principal: Principal = {
  subject: 'bench-hot',
  issuer: process.env['AUTH_ISSUER'] ?? '',
  roles: ['admin', 'editor'],
  scopes: ['reports:read'],
  expiresAt: 0,
  claims: {},
};

const yoga = createYoga({ schema: createPlainExampleSchema(), context: () => ({ principal }) });
listen(yoga, process.env);
