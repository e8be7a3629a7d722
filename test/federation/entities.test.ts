import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildSubgraphSchema } from '@apollo/subgraph';
import {
  Kind,
  parse,
  print,
  type DirectiveDefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { authDirectiveTypeDefs, CLAIMGATE_DIRECTIVES } from '../../src/directives/type-defs.ts';
import { exampleTypeDefs } from '../../src/example/create-example-schema.ts';
import { createExampleResolvers } from '../../src/example/example-resolvers.ts';
import { examplePolicies } from '../../src/example/example-policies.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Document { id title }
      ... on User { id name email }
    }
  }
`;

// d9 does not exist: a denied caller must get the same answer for it as for d1,
// or `_entities` would tell strangers which ids exist.
const REPRESENTATIONS = [
  { __typename: 'Document', id: 'd1' },
  { __typename: 'User', id: 'u1' },
  { __typename: 'Document', id: 'd9' },
  { __typename: 'User', id: 'u2' },
];

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';

type Caller = 'anonymous' | 'reader' | 'editor' | 'editor+admin';
const ROLES: Record<Exclude<Caller, 'anonymous'>, string[]> = {
  reader: ['reader'],
  editor: ['editor'],
  'editor+admin': ['editor', 'admin'],
};

const denied = (code: 'UNAUTHENTICATED' | 'FORBIDDEN', requirement: string, path: (string | number)[]) => ({
  message: `${code === 'UNAUTHENTICATED' ? 'Unauthenticated' : 'Forbidden'}: requires ${requirement}.`,
  path,
  extensions: { code },
});
const ada = (email: string | null) => ({ __typename: 'User', id: 'u1', name: 'Ada', email });
const grace = (email: string | null) => ({ __typename: 'User', id: 'u2', name: 'Grace', email });
const quarterlyPlan = { __typename: 'Document', id: 'd1', title: 'Quarterly plan' };

/** What each caller gets from ENTITIES with REPRESENTATIONS, as a direct call to the subgraph. */
const EXPECTED: Record<Caller, Pick<GraphQLResponse['body'], 'data' | 'errors'>> = {
  anonymous: {
    data: { _entities: [null, ada(null), null, grace(null)] },
    errors: [
      denied('UNAUTHENTICATED', 'role editor', ['_entities', 0]),
      denied('UNAUTHENTICATED', 'role admin', ['_entities', 1, 'email']),
      denied('UNAUTHENTICATED', 'role editor', ['_entities', 2]),
      denied('UNAUTHENTICATED', 'role admin', ['_entities', 3, 'email']),
    ],
  },
  reader: {
    data: { _entities: [null, ada(null), null, grace(null)] },
    errors: [
      denied('FORBIDDEN', 'role editor', ['_entities', 0]),
      denied('FORBIDDEN', 'role admin', ['_entities', 1, 'email']),
      denied('FORBIDDEN', 'role editor', ['_entities', 2]),
      denied('FORBIDDEN', 'role admin', ['_entities', 3, 'email']),
    ],
  },
  editor: {
    data: { _entities: [quarterlyPlan, ada(null), null, grace(null)] },
    errors: [denied('FORBIDDEN', 'role admin', ['_entities', 1, 'email']), denied('FORBIDDEN', 'role admin', ['_entities', 3, 'email'])],
  },
  'editor+admin': {
    data: { _entities: [quarterlyPlan, ada('ada@example.com'), null, grace('grace@example.com')] },
  },
};

/** Errors without `locations` (graphql-js's business), in path order, so bodies compare whole. */
function normalized(body: GraphQLResponse['body']): Pick<GraphQLResponse['body'], 'data' | 'errors'> {
  const errors = body.errors
    ?.map(({ message, path, extensions }) => ({ message, path: path ?? [], extensions: extensions ?? {} }))
    .sort((a, b) => JSON.stringify(a.path).localeCompare(JSON.stringify(b.path)));
  const data = body.data ?? null;
  return errors === undefined ? { data } : { data, errors };
}

/**
 * The example subgraph exactly as createExampleSchema builds it, except that
 * the reference resolvers record every call: the only way to prove the
 * original resolver never runs for a caller who may not see the type.
 */
function createSpiedExampleSchema(mode: 'default' | 'protect-all'): { schema: GraphQLSchema; calls: { Document: string[]; User: string[] } } {
  const resolvers = createExampleResolvers();
  const calls = { Document: [] as string[], User: [] as string[] };
  const resolveDocument = resolvers.Document.__resolveReference;
  const resolveUser = resolvers.User.__resolveReference;
  resolvers.Document.__resolveReference = (reference) => {
    calls.Document.push(reference.id);
    return resolveDocument(reference);
  };
  resolvers.User.__resolveReference = (reference) => {
    calls.User.push(reference.id);
    return resolveUser(reference);
  };
  const subgraph = buildSubgraphSchema({ typeDefs: parse(exampleTypeDefs), resolvers: resolvers as never });
  return { schema: authDirectiveTransformer(subgraph, { mode, policies: examplePolicies }), calls };
}

describe('federation: _entities and _service, called directly at the subgraph', () => {
  let issuer: TestIssuer;
  let api: TestApi;
  let strict: TestApi;
  let spied: TestApi & { calls: { Document: string[]; User: string[] } };
  let strictSpied: TestApi & { calls: { Document: string[]; User: string[] } };
  const tokens = {} as Record<Exclude<Caller, 'anonymous'>, string>;

  const entities = (target: TestApi, caller: Caller, representations = REPRESENTATIONS) =>
    graphql(target.graphqlUrl, {
      query: ENTITIES,
      variables: { representations },
      ...(caller === 'anonymous' ? {} : { token: tokens[caller] }),
    });

  before(async () => {
    issuer = await startTestIssuer();
    for (const [caller, roles] of Object.entries(ROLES)) tokens[caller as keyof typeof ROLES] = await issuer.mint({ roles });
    const defaultSpy = createSpiedExampleSchema('default');
    const strictSpy = createSpiedExampleSchema('protect-all');
    [api, strict, spied, strictSpied] = await Promise.all([
      startTestApi(issuer.env()),
      startTestApi(issuer.env({ AUTH_MODE: 'protect-all' })),
      startTestApi(issuer.env(), { schema: defaultSpy.schema }).then((started) => Object.assign(started, { calls: defaultSpy.calls })),
      startTestApi(issuer.env({ AUTH_MODE: 'protect-all' }), { schema: strictSpy.schema }).then((started) =>
        Object.assign(started, { calls: strictSpy.calls }),
      ),
    ]);
  });

  after(async () => {
    await Promise.all([api, strict, spied, strictSpied].filter(Boolean).map((started) => started.close()));
    await issuer?.close();
  });

  test('the example serves exactly the entities this file covers', async () => {
    // A new entity type must be added to the matrix below, or it goes untested.
    const response = await graphql(api.graphqlUrl, { query: '{ __type(name: "_Entity") { possibleTypes { name } } }' });
    assert.equal(response.status, 200);
    // Draft (an object-level @policy) is covered over _entities in test/directives/policy.test.ts.
    assert.deepEqual(response.body, { data: { __type: { possibleTypes: [{ name: 'Document' }, { name: 'Draft' }, { name: 'User' }] } } });
  });

  for (const caller of Object.keys(EXPECTED) as Caller[]) {
    test(`_entities for ${caller}: the same checks as a normal query, denials at _entities paths`, async () => {
      const response = await entities(api, caller);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), GRAPHQL_RESPONSE_JSON);
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.deepEqual(normalized(response.body), EXPECTED[caller]);
    });
  }

  test('_entities answers like the normal query for the same objects', async () => {
    // The normal query paths differ; the data and each denial's code and message must not.
    const query = '{ user(id: "u1") { __typename id name email } node(id: "d1") { __typename ... on Document { id title } } }';
    for (const caller of ['anonymous', 'reader', 'editor+admin'] as const) {
      const token = caller === 'anonymous' ? {} : { token: tokens[caller] };
      const [normal, viaEntities] = await Promise.all([
        graphql(api.graphqlUrl, { query, ...token }),
        entities(api, caller, [REPRESENTATIONS[1]!, REPRESENTATIONS[0]!]),
      ]);
      assert.equal(normal.status, viaEntities.status);
      const entityData = viaEntities.body.data as { _entities: unknown[] };
      assert.deepEqual(normal.body.data, { user: entityData._entities[0], node: entityData._entities[1] }, caller);
      const denials = (body: GraphQLResponse['body']) =>
        (body.errors ?? []).map((error) => `${error.message} ${String(error.extensions?.code)} ${String(error.path?.at(-1))}`).sort();
      // A denied Document is null at ["node"] (guarded where it is returned) and at ["_entities", 1] (the entry):
      // compare message and code, and the last path element only for fields.
      assert.deepEqual(
        denials(normal.body).map((line) => line.replace(/ node$/, ' 1')),
        denials(viaEntities.body),
        caller,
      );
    }
  });

  test('the original __resolveReference never runs for a caller who may not see the type', async () => {
    const representations = [
      { __typename: 'Document', id: 'd1' },
      { __typename: 'Document', id: 'd2' },
      { __typename: 'User', id: 'u1' },
    ];
    for (const caller of ['anonymous', 'reader'] as const) {
      spied.calls.Document.length = 0;
      spied.calls.User.length = 0;
      const response = await entities(spied, caller, representations);
      const code = caller === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
      assert.equal(response.status, 200);
      assert.deepEqual(normalized(response.body), {
        data: { _entities: [null, null, ada(null)] },
        errors: [
          denied(code, 'role editor', ['_entities', 0]),
          denied(code, 'role editor', ['_entities', 1]),
          denied(code, 'role admin', ['_entities', 2, 'email']),
        ],
      });
      assert.deepEqual(spied.calls, { Document: [], User: ['u1'] }, `${caller}: the User resolver runs (proving the spy works), the Document one must not`);
    }

    spied.calls.Document.length = 0;
    spied.calls.User.length = 0;
    const allowed = await entities(spied, 'editor', representations);
    assert.equal(allowed.status, 200);
    assert.deepEqual(normalized(allowed.body), {
      data: { _entities: [quarterlyPlan, { __typename: 'Document', id: 'd2', title: 'Salary bands' }, ada(null)] },
      errors: [denied('FORBIDDEN', 'role admin', ['_entities', 2, 'email'])],
    });
    assert.deepEqual(spied.calls, { Document: ['d1', 'd2'], User: ['u1'] });
  });

  test('the spied schema answers exactly like the real one (so the spy proves something about it)', async () => {
    for (const caller of Object.keys(EXPECTED) as Caller[]) {
      const [real, spy] = await Promise.all([entities(api, caller), entities(spied, caller)]);
      assert.deepEqual({ status: spy.status, body: spy.body }, { status: real.status, body: real.body }, caller);
    }
  });

  test('_service { sdl } carries the directive definitions, @link, @composeDirective and every use', async () => {
    const response = await graphql(api.graphqlUrl, { query: '{ _service { sdl } }' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), GRAPHQL_RESPONSE_JSON);
    const sdl = parse((response.body.data as { _service: { sdl: string } })._service.sdl);

    // The definitions are claimgate's, unchanged: composition requires every subgraph to agree on them.
    const ours = directiveDefinitions(parse(authDirectiveTypeDefs));
    const served = directiveDefinitions(sdl);
    for (const name of CLAIMGATE_DIRECTIVES) assert.equal(served.get(name), ours.get(name), `definition of @${name}`);
    assert.ok(sdl.definitions.some((d) => d.kind === Kind.SCALAR_TYPE_DEFINITION && d.name.value === 'ClaimValue'));

    const schemaDirectives = sdl.definitions
      .filter((d) => d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.SCHEMA_DEFINITION)
      .flatMap((d) => d.directives ?? [])
      .map((directive) => print(directive));
    assert.deepEqual(schemaDirectives, [
      '@link(url: "https://specs.apollo.dev/link/v1.0")',
      '@link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated", "@requiresScopes", "@policy", "@composeDirective"])',
      '@link(url: "https://claimgate.dev/auth/v0.1", import: ["@auth", "@hasRole", "@hasAnyRole", "@hasScope", "@hasClaim", "@public", "ClaimValue"])',
      ...CLAIMGATE_DIRECTIVES.map((name) => `@composeDirective(name: "@${name}")`),
    ]);

    assert.deepEqual(authDirectiveUses(sdl), [
      'Query.publicInfo @public',
      'Query.me @auth',
      'Query.adminReport @hasRole(role: "admin")',
      'Query.secretOfTheDay @public',
      'Query.node @public',
      'Query.search @public',
      'Query.verifiedNote @hasClaim(claim: "email_verified", value: true)',
      'Query.scopedReport @requiresScopes(scopes: [["reports:read"], ["admin"]])',
      'Query.documents @public',
      'Query.user @public',
      'Query.drafts @auth',
      'Secret @auth',
      'PublicNote @public',
      'Document @hasRole(role: "editor")',
      'User.email @hasRole(role: "admin")',
      'Mutation.renameDocument @hasRole(role: "editor")',
      'Mutation.addNote @auth',
      'Subscription.noteAdded @public',
      'Subscription.documentChanged @hasScope(scope: "documents:watch")',
    ]);
  });

  describe('protect-all (AUTH_MODE=protect-all)', () => {
    test('_service stays public and serves the same SDL', async () => {
      const [strictSdl, defaultSdl] = await Promise.all([
        graphql(strict.graphqlUrl, { query: '{ _service { sdl } }' }),
        graphql(api.graphqlUrl, { query: '{ _service { sdl } }' }),
      ]);
      assert.equal(strictSdl.status, 200);
      assert.equal(strictSdl.headers.get('content-type'), GRAPHQL_RESPONSE_JSON);
      assert.deepEqual(strictSdl.body, defaultSdl.body);
      assert.equal(strictSdl.body.errors, undefined);
    });

    test('_entities stays callable anonymously, and every entity is still denied', async () => {
      const response = await entities(strict, 'anonymous');
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), GRAPHQL_RESPONSE_JSON);
      // No error at ["_entities"] itself: the field is public, its entries are not.
      assert.deepEqual(normalized(response.body), {
        data: { _entities: [null, null, null, null] },
        errors: [
          denied('UNAUTHENTICATED', 'role editor', ['_entities', 0]),
          denied('UNAUTHENTICATED', 'authentication', ['_entities', 1]),
          denied('UNAUTHENTICATED', 'role editor', ['_entities', 2]),
          denied('UNAUTHENTICATED', 'authentication', ['_entities', 3]),
        ],
      });
    });

    test('with a token, protected entity fields are still denied', async () => {
      const response = await entities(strict, 'reader');
      assert.equal(response.status, 200);
      assert.deepEqual(normalized(response.body), EXPECTED.reader);
    });

    test('the reference resolver of a type that is not @public never runs for an anonymous caller', async () => {
      const response = await entities(strictSpied, 'anonymous', [{ __typename: 'User', id: 'u1' }]);
      assert.equal(response.status, 200);
      assert.deepEqual(normalized(response.body), {
        data: { _entities: [null] },
        errors: [denied('UNAUTHENTICATED', 'authentication', ['_entities', 0])],
      });
      assert.deepEqual(strictSpied.calls, { Document: [], User: [] });

      const signedIn = await entities(strictSpied, 'reader', [{ __typename: 'User', id: 'u1' }]);
      assert.deepEqual(normalized(signedIn.body), {
        data: { _entities: [ada(null)] },
        errors: [denied('FORBIDDEN', 'role admin', ['_entities', 0, 'email'])],
      });
      assert.deepEqual(strictSpied.calls, { Document: [], User: ['u1'] });
    });
  });
});

function directiveDefinitions(document: DocumentNode): Map<string, string> {
  return new Map(
    document.definitions
      .filter((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION)
      .map((d) => [d.name.value, print(d)]),
  );
}

const AUTH_DIRECTIVES = new Set([...CLAIMGATE_DIRECTIVES, 'authenticated', 'requiresScopes']);

/** "Type @directive(args)" and "Type.field @directive(args)" for every auth directive use, in SDL order. */
function authDirectiveUses(document: DocumentNode): string[] {
  const uses: string[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const type = definition.name.value;
    for (const directive of definition.directives ?? []) {
      if (AUTH_DIRECTIVES.has(directive.name.value)) uses.push(`${type} ${print(directive)}`);
    }
    for (const field of definition.fields ?? []) {
      for (const directive of field.directives ?? []) {
        if (AUTH_DIRECTIVES.has(directive.name.value)) uses.push(`${type}.${field.name.value} ${print(directive)}`);
      }
    }
  }
  return uses;
}
