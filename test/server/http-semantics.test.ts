// The HTTP table of the verified-identity issue, over real HTTP against the real server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, graphql, startTestApi, withIssuerAndApi } from '../support/test-api.ts';
import { rawRequest } from '../support/raw-http.ts';

const running = withIssuerAndApi();

const QUERY = '{ publicInfo me { sub roles } adminReport }';

describe('the HTTP table', () => {
  test('no credentials: executes anonymously, protected fields null with UNAUTHENTICATED', async () => {
    const response = await graphql(running.api.graphqlUrl, { query: QUERY });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('www-authenticate'), null);
    assert.deepEqual(response.body, {
      data: { publicInfo: 'claimgate example API', me: null, adminReport: null },
      errors: [
        { message: 'Unauthenticated: requires authentication.', locations: [{ line: 1, column: 14 }], path: ['me'], extensions: { code: 'UNAUTHENTICATED' } },
        { message: 'Unauthenticated: requires role admin.', locations: [{ line: 1, column: 31 }], path: ['adminReport'], extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
  });

  test('valid token lacking a role: that field null with FORBIDDEN, the rest resolves, HTTP 200', async () => {
    const response = await graphql(running.api.graphqlUrl, { query: QUERY, token: await running.issuer.mint({ roles: ['reader'] }) });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      data: { publicInfo: 'claimgate example API', me: { sub: 'alice', roles: ['reader'] }, adminReport: null },
      errors: [{ message: 'Forbidden: requires role admin.', locations: [{ line: 1, column: 31 }], path: ['adminReport'], extensions: { code: 'FORBIDDEN' } }],
    });
  });

  test('valid token with the role: everything resolves', async () => {
    const response = await graphql(running.api.graphqlUrl, { query: QUERY, token: await running.issuer.mint({ roles: ['admin'] }) });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, {
      data: { publicInfo: 'claimgate example API', me: { sub: 'alice', roles: ['admin'] }, adminReport: 'All systems nominal.' },
    });
  });

  test('invalid token: 401 invalid_token, nothing executed (not even public fields)', async () => {
    const response = await graphql(running.api.graphqlUrl, { query: '{ publicInfo }', token: 'e30.e30.c2ln' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="untrusted issuer"');
    assert.deepEqual(response.body, { errors: [{ message: 'Unauthenticated: untrusted issuer.', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  test('an invalid token also fails GET requests and mutations the same way', async () => {
    const token = await running.issuer.mint({}, { ttl: -30 });
    const get = await fetch(`${running.api.graphqlUrl}?query=${encodeURIComponent('{ publicInfo }')}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    assert.equal(get.status, 401);
    assert.equal(get.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="token expired"');
    const mutation = await graphql(running.api.graphqlUrl, { query: 'mutation { renameDocument(id: "d1", title: "x") { title } }', token });
    assert.equal(mutation.status, 401);
  });

  test('scheme is case-insensitive', async () => {
    const token = await running.issuer.mint();
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const response = await graphql(running.api.graphqlUrl, { query: '{ me { sub } }', headers: { authorization: `${scheme} ${token}` } });
      assert.deepEqual([response.status, response.body], [200, { data: { me: { sub: 'alice' } } }], scheme);
    }
  });

  for (const [name, value, problem] of [
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0', 'not a Bearer credential'],
    ['Bearer with no token', 'Bearer', 'Bearer without a token'],
    ['Bearer with only spaces', 'Bearer   ', 'Bearer without a token'],
    ['two tokens', 'Bearer a.b.c d.e.f', 'not a Bearer credential'],
    ['a token with a comma', 'Bearer a.b.c,d', 'not a Bearer credential'],
  ] as const) {
    test(`${name}: 401 invalid_request`, async () => {
      const response = await graphql(running.api.graphqlUrl, { query: '{ publicInfo }', headers: { authorization: value } });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_request", error_description="${problem}"`);
      assert.deepEqual(response.body, { errors: [{ message: `Unauthenticated: ${problem}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
    });
  }

  test('a second Authorization header: 401 invalid_request', async () => {
    const token = await running.issuer.mint({ roles: ['admin'] });
    const response = await rawRequest(
      running.api.origin,
      ['POST /graphql HTTP/1.1', 'Content-Type: application/json', `Authorization: Bearer ${token}`, `Authorization: Bearer ${token}`],
      JSON.stringify({ query: '{ publicInfo }' }),
    );
    assert.equal(response.status, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_request", error_description="more than one Authorization header"');
    assert.deepEqual(JSON.parse(response.body), {
      errors: [{ message: 'Unauthenticated: more than one Authorization header.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  test('tokens in the query string are not accepted', async () => {
    const token = await running.issuer.mint({ roles: ['admin'] });
    const response = await fetch(`${running.api.graphqlUrl}?query=${encodeURIComponent('{ me { sub } }')}&access_token=${token}`, {
      headers: { accept: 'application/json' },
    });
    const body = (await response.json()) as { data: unknown; errors: { extensions: { code: string } }[] };
    assert.equal(response.status, 200);
    assert.deepEqual(body.data, { me: null });
    assert.deepEqual(body.errors.map((error) => error.extensions.code), ['UNAUTHENTICATED']);
  });

  test('field-level denials never change the HTTP status, even with graphql-response+json', async () => {
    const response = await graphql(running.api.graphqlUrl, {
      query: '{ publicInfo adminReport secretOfTheDay { value } }',
      headers: { accept: 'application/graphql-response+json' },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    assert.deepEqual(response.body.data, { publicInfo: 'claimgate example API', adminReport: null, secretOfTheDay: null });
  });
});

describe('exactly one verification per request', () => {
  test('an operation touching 100+ protected fields via aliases and fragments verifies once', async () => {
    // 60 aliases: over the default alias limit, which this test is not about.
    const uncached = await startTestApi({ ...running.issuer.env(), LIMIT_MAX_ALIASES: '100' }, { verifier: { tokenCacheSize: 0 } });
    try {
      const aliases = Array.from({ length: 60 }, (_, i) => `a${i}: adminReport`).join(' ');
      const query = `
        query { ${aliases} me { ...Me } d: documents(limit: 30) { ...Doc } s: search(q: "x") { ... on Document { id title } } }
        fragment Me on Viewer { sub roles }
        fragment Doc on Document { id title }
      `;
      const token = await running.issuer.mint({ roles: ['admin', 'editor'] });
      const before = { ...uncached.server.verifier.stats };
      const response = await graphql(uncached.graphqlUrl, { query, token });
      assert.equal(response.status, 200);
      assert.equal(response.body.errors, undefined);
      assert.equal((response.body.data!.d as unknown[]).length, 30);
      assert.deepEqual(uncached.server.verifier.stats, { verifyCalls: before.verifyCalls + 1, cacheHits: before.cacheHits });
    } finally {
      await uncached.close();
    }
  });

  test('with the token cache, a repeated token is served from the cache', async () => {
    const token = await running.issuer.mint({ sub: 'cached' });
    const before = { ...running.api.server.verifier.stats };
    await graphql(running.api.graphqlUrl, { query: '{ me { sub } }', token });
    await graphql(running.api.graphqlUrl, { query: '{ me { sub } }', token });
    assert.deepEqual(running.api.server.verifier.stats, { verifyCalls: before.verifyCalls + 2, cacheHits: before.cacheHits + 1 });
  });

  test('an anonymous request verifies nothing', async () => {
    const before = running.api.server.verifier.stats.verifyCalls;
    await graphql(running.api.graphqlUrl, { query: '{ publicInfo }' });
    assert.equal(running.api.server.verifier.stats.verifyCalls, before);
  });
});

describe('request bodies', () => {
  test('a body over 1 MiB is refused with 413 before anything runs', async () => {
    const response = await fetch(running.api.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ publicInfo }', variables: { pad: 'x'.repeat(1024 * 1024) } }),
    });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), {
      errors: [{ message: 'Request body is larger than 1048576 bytes.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  test('a chunked body (no Content-Length) is refused with 411', async () => {
    const response = await rawRequest(running.api.origin, ['POST /graphql HTTP/1.1', 'Content-Type: application/json', 'Transfer-Encoding: chunked'], '');
    assert.equal(response.status, 411);
    assert.deepEqual(JSON.parse(response.body), {
      errors: [{ message: 'A request body needs a Content-Length header.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  test('a body just under the limit is served', async () => {
    const response = await graphql(running.api.graphqlUrl, { query: '{ publicInfo }', variables: { pad: 'x'.repeat(1000 * 1000) } });
    assert.deepEqual([response.status, response.body], [200, { data: { publicInfo: 'claimgate example API' } }]);
  });
});

describe('health and readiness', () => {
  test('/healthz and /readyz answer 200 once keys are loaded', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(`${running.api.origin}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }
    assert.deepEqual(await (await fetch(`${running.api.origin}/readyz`)).json(), { status: 'ready' });
  });

  test('paths that merely end in /healthz are not health checks', async () => {
    const response = await fetch(`${running.api.origin}/graphql/healthz`);
    assert.notEqual(response.status, 200);
  });
});
