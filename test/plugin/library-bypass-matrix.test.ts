// The bypass matrix (the one table in test/support/bypass-matrix.ts, also run
// on `npm start`'s path) on the library path: a user's own node:http +
// createYoga + useClaimgate, with the example schema written in SDL and
// written code-first with Pothos (both of Pothos' directive shapes). And a
// Pothos schema whose directive usage claimgate cannot enforce refuses to start.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { buildSubgraphSchema } from '@apollo/subgraph';
import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import { AuthSchemaError, useClaimgate } from '../../src/index.ts';
import { exampleTypeDefs } from '../../src/example/create-example-schema.ts';
import { createExampleResolvers } from '../../src/example/example-resolvers.ts';
import { examplePolicies } from '../../src/example/example-policies.ts';
import { bypassMatrixTests } from '../support/bypass-matrix.ts';
import { createPothosExampleSchema } from '../support/pothos-example-schema.ts';
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

const silent = { info() {}, warn() {}, error() {} };

interface LibraryServer {
  readonly graphqlUrl: string;
  close(): Promise<void>;
}

/** A user's own server: node:http, createYoga, one plugin. Resolves once ready. */
async function startLibraryServer(schema: GraphQLSchema, issuer: TestIssuer): Promise<LibraryServer> {
  const env = issuer.env();
  const yoga = createYoga({
    schema,
    // The example's ownership rule (@policy on Draft) is registered as the app registers it.
    plugins: [useClaimgate({ issuers: [{ issuer: env.AUTH_ISSUER, audience: TEST_AUDIENCE, jwksUri: env.AUTH_JWKS_URI }], policies: examplePolicies, logger: silent })],
    logging: false,
  });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deadline = Date.now() + 5_000;
  while ((await fetch(`${origin}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('keys did not load in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    graphqlUrl: `${origin}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await yoga.dispose();
    },
  };
}

const schemas: Record<string, () => GraphQLSchema> = {
  'SDL example schema': () =>
    buildSubgraphSchema({ typeDefs: parse(exampleTypeDefs), resolvers: createExampleResolvers() as never }),
  'Pothos example schema (Pothos\' list shape)': () => createPothosExampleSchema(),
  'Pothos example schema (graphql-tools\' object shape)': () => createPothosExampleSchema({ unordered: true }),
};

for (const [name, build] of Object.entries(schemas)) {
  describe(`bypass matrix on the library path: createYoga + useClaimgate, ${name}`, () => {
    let issuer: TestIssuer;
    let server: LibraryServer;
    before(async () => {
      issuer = await startTestIssuer();
      server = await startLibraryServer(build(), issuer);
    });
    after(async () => {
      await server.close();
      await issuer.close();
    });
    bypassMatrixTests(() => ({ graphqlUrl: server.graphqlUrl, mint: (claims) => issuer.mint(claims) }));
  });
}

describe('a Pothos schema claimgate cannot enforce refuses to start', () => {
  type Loose = { Directives: Record<string, { locations: 'ARGUMENT_DEFINITION' | 'FIELD_DEFINITION' | 'UNION' | 'OBJECT'; args: Record<string, unknown> }> };
  const start = (schema: GraphQLSchema) => () =>
    createYoga({ schema, plugins: [useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: 'api' }], logger: silent })] });
  const refusal = (message: string) => (error: unknown) => {
    assert.ok(error instanceof AuthSchemaError, String(error));
    assert.equal(error.message, message);
    return true;
  };

  test('a misspelt directive (hasRoles)', () => {
    const builder = new SchemaBuilder<Loose>({ plugins: [DirectivesPlugin] });
    builder.queryType({ fields: (t) => ({ report: t.string({ directives: [{ name: 'hasRoles', args: { role: 'admin' } }], resolve: () => '42' }) }) });
    assert.throws(
      start(builder.toSchema()),
      refusal('@hasRoles on field Query.report: unknown directive; did you mean @hasRole? claimgate refuses names this close to its own, which would protect nothing.'),
    );
  });
  test('a directive on an argument', () => {
    const builder = new SchemaBuilder<Loose>({ plugins: [DirectivesPlugin] });
    builder.queryType({
      fields: (t) => ({
        report: t.string({ args: { id: t.arg.id({ directives: [{ name: 'auth', args: {} }] }) }, resolve: () => '42' }),
      }),
    });
    assert.throws(
      start(builder.toSchema()),
      refusal('@auth on argument Query.report(id:): cannot be used here; put it on an object type, an interface, or a field of one.'),
    );
  });
  test('arguments that are not the directive\'s', () => {
    const builder = new SchemaBuilder<Loose>({ plugins: [DirectivesPlugin] });
    builder.queryType({ fields: (t) => ({ report: t.string({ directives: [{ name: 'hasRole', args: { roles: ['admin'] } }], resolve: () => '42' }) }) });
    assert.throws(start(builder.toSchema()), (error: unknown) => error instanceof AuthSchemaError && /^@hasRole on field Query\.report: /.test(error.message));
  });
});
