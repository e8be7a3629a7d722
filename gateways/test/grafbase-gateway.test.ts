import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kind, parse, print } from 'graphql';
import { CALLERS, CROSS_SUBGRAPH_QUERY, directOutcome, expectedOutcome, outcome } from '../../test/federation/cross-subgraph-matrix.ts';
import { graphql, type GraphQLResponse } from '../../test/support/test-api.ts';
import { GRAFBASE_BIN, grafbaseEnv, startGrafbase, type GatewayProcess, type GrafbaseSubgraphs } from './support/start-gateway.ts';
import { COOKIE_NAME, startSubgraphs, type Subgraphs } from '../../test/federation/start-subgraphs.ts';
import { assertNoProtectedValue, directRefusal, REFUSALS } from './support/refusals.ts';
import { postWithHeaderLines } from '../../test/support/raw-http.ts';

const GRAFBASE_TOML = new URL('../grafbase/grafbase.toml', import.meta.url).pathname;

/** Grafbase sends one request per subgraph and reports a failed one at the first root field it served. */
function subgraphFailures(response: GraphQLResponse): string[][] {
  return (response.body.errors ?? []).map((error) => [error.path?.join('.') ?? '', error.message, String(error.extensions?.code)]).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Runs the Grafbase CLI to completion and returns its exit code and output. */
async function grafbase(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(GRAFBASE_BIN, args, { env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe('behind Grafbase 0.103 (gateways/grafbase/grafbase.toml): example + reviews subgraphs', () => {
  let subgraphs: Subgraphs;
  let gateway: GatewayProcess;
  let subgraphEnv: GrafbaseSubgraphs;

  before(async () => {
    subgraphs = await startSubgraphs();
    subgraphEnv = {
      exampleUrl: subgraphs.example.graphqlUrl,
      exampleSchema: subgraphs.files.exampleSchema,
      reviewsUrl: subgraphs.reviews.graphqlUrl,
      reviewsSchema: subgraphs.files.reviewsSchema,
      home: subgraphs.files.home,
    };
    gateway = await startGrafbase(subgraphEnv);
  });

  after(async () => {
    await gateway?.close();
    await subgraphs?.close();
  });

  for (const caller of CALLERS) {
    test(`${caller}: the gateway's field-level outcome equals the direct calls' and the expected one`, async () => {
      const token = subgraphs.tokens[caller];
      const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, ...token });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json');
      const expected = expectedOutcome(caller);
      assert.deepEqual(outcome(response.body), expected);
      assert.deepEqual(await directOutcome(subgraphs.example, subgraphs.reviews, token), expected);
    });
  }

  test('Grafbase composes the same live SDL keeping @authenticated and @requiresScopes, and enforces neither here: every denial is claimgate’s', async () => {
    const composed = await grafbase(['--home', subgraphs.files.home, 'compose', '-c', GRAFBASE_TOML], grafbaseEnv(subgraphEnv, '127.0.0.1:0'));
    assert.equal(composed.code, 0, composed.stderr);
    const supergraph = parse(composed.stdout);
    const uses: string[] = [];
    for (const definition of supergraph.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      for (const field of definition.fields ?? []) {
        for (const directive of field.directives ?? []) {
          if (['authenticated', 'requiresScopes'].includes(directive.name.value)) uses.push(`${definition.name.value}.${field.name.value} ${print(directive)}`);
        }
      }
    }
    assert.deepEqual(uses.sort(), ['Query.scopedReport @requiresScopes(scopes: [["admin"], ["reports:read"]])', 'User.reviews @authenticated']);

    // Without an authentication extension Grafbase lets both fields through to the subgraphs, which deny them.
    const response = await graphql(gateway.graphqlUrl, { query: '{ user(id: "u1") { reviews { id } } scopedReport }' });
    assert.deepEqual(response.body, {
      data: { user: { reviews: null }, scopedReport: null },
      errors: [
        { message: 'Unauthenticated: requires scopes reports:read or admin.', path: ['scopedReport'], extensions: { code: 'UNAUTHENTICATED' } },
        { message: 'Unauthenticated: requires authentication.', path: ['user', 'reviews'], extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
  });

  test('Grafbase 0.103 has no built-in JWT provider: the embedded [[authentication.providers]] config is refused at start-up', async () => {
    const config = join(subgraphs.files.home, '..', 'grafbase-embedded-jwt.toml');
    await writeFile(config, [
      '[[authentication.providers]]',
      '[authentication.providers.jwt]',
      'name = "claimgate"',
      '[authentication.providers.jwt.jwks]',
      `url = "${subgraphs.issuer.jwksUri}"`,
      '',
    ].join('\n'));
    const run = await grafbase(['--home', subgraphs.files.home, 'dev', '-c', config], grafbaseEnv(subgraphEnv, '127.0.0.1:0'));
    assert.notEqual(run.code, 0);
    assert.match(run.stdout + run.stderr, /unknown field `providers`, expected `default` or `protected_resources`/);
  });

  for (const refusal of REFUSALS) {
    test(`${refusal.name}: 200 with SUBGRAPH_REQUEST_ERROR "status code: 401" per subgraph; claimgate's code is lost; no data`, async () => {
      const token = subgraphs.refused[refusal.token];
      const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, token });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.equal(response.body.data, null);
      assert.deepEqual(subgraphFailures(response), [
        ['latestReviews', 'Request failed with status code: 401', 'SUBGRAPH_REQUEST_ERROR'],
        ['user', 'Request failed with status code: 401', 'SUBGRAPH_REQUEST_ERROR'],
      ]);
      assertNoProtectedValue(response);
      await directRefusal(subgraphs, token, refusal.description);
    });
  }

  test('a failed subgraph request serving several root fields: Grafbase writes them all under the first one\'s name', async () => {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${subgraphs.refused.forged}` },
      body: JSON.stringify({ query: '{ user(id: "u1") { email } scopedReport verifiedNote }' }),
    });
    assert.equal(response.status, 200);
    assert.equal(
      await response.text(),
      '{"data":{"user":null,"user":null,"user":null},"errors":[{"message":"Request failed with status code: 401","locations":[{"line":1,"column":3}],"path":["user"],"extensions":{"code":"SUBGRAPH_REQUEST_ERROR"}}]}',
    );
  });

  test('keys unavailable: 200 with SUBGRAPH_REQUEST_ERROR "Request to subgraph … failed."; neither the status nor AUTH_UNAVAILABLE survives', async () => {
    const response = await graphql(gateway.graphqlUrl, { query: CROSS_SUBGRAPH_QUERY, token: subgraphs.keysDown });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('retry-after'), null);
    assert.equal(response.body.data, null);
    assert.deepEqual(subgraphFailures(response), [
      ['latestReviews', "Request to subgraph 'reviews' failed.", 'SUBGRAPH_REQUEST_ERROR'],
      ['user', "Request to subgraph 'example' failed.", 'SUBGRAPH_REQUEST_ERROR'],
    ]);
    // Direct: 503, Retry-After and the stable code.
    const direct = await graphql(subgraphs.example.graphqlUrl, { query: '{ user(id: "u1") { email } }', token: subgraphs.keysDown });
    assert.deepEqual(
      [direct.status, direct.headers.get('retry-after') !== null, direct.body],
      [503, true, { errors: [{ message: 'Authentication is temporarily unavailable; retry later.', extensions: { code: 'AUTH_UNAVAILABLE' } }] }],
    );
  });

  test('two Authorization headers: Grafbase forwards both, so claimgate’s refusal holds (401 from the subgraph)', async () => {
    const admin = subgraphs.tokens['editor+admin'].token!;
    const reader = subgraphs.tokens.reader.token!;
    for (const order of [[admin, reader], [reader, admin]]) {
      const response = await postWithHeaderLines(gateway.graphqlUrl, order.map((token) => `Authorization: Bearer ${token}`), { query: '{ user(id: "u1") { email } }' });
      assert.equal(response.status, 200);
      const body = JSON.parse(response.body) as GraphQLResponse['body'];
      assert.deepEqual(body.data, { user: null });
      assert.deepEqual(subgraphFailures({ status: 200, headers: new Headers(), body }), [['user', 'Request failed with status code: 401', 'SUBGRAPH_REQUEST_ERROR']]);
    }
  });

  test('the cookie is forwarded: a cookie-only caller gets what its token allows', async () => {
    const cookie = `${COOKIE_NAME}=${subgraphs.tokens['editor+admin'].token!}`;
    const response = await graphql(gateway.graphqlUrl, { query: '{ user(id: "u1") { email reviews { id } } }', headers: { cookie } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { data: { user: { email: 'ada@example.com', reviews: [{ id: 'r1' }] } } });
  });
});
