// Cookie credentials (AUTH_COOKIE): verified exactly like a header token,
// never rescuing a bad header, and never usable by a forged cross-site request.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';

let issuer: TestIssuer;
let on: TestApi;
let off: TestApi;

before(async () => {
  issuer = await startTestIssuer();
  on = await startTestApi(issuer.env({ AUTH_COOKIE: 'hanko', CORS_ORIGINS: 'https://app.example.com' }));
  off = await startTestApi(issuer.env());
});
after(async () => {
  await on.close();
  await off.close();
  await issuer.close();
});

const ME = '{ me { sub } }';

describe('cookie source on', () => {
  test('a valid cookie authenticates a JSON POST', async () => {
    const response = await graphql(on.graphqlUrl, { query: ME, headers: { cookie: `theme=dark; hanko=${await issuer.mint({ sub: 'cookie-user' })}` } });
    assert.deepEqual([response.status, response.body], [200, { data: { me: { sub: 'cookie-user' } } }]);
  });

  test('an invalid cookie is a 401 invalid_token, like a header', async () => {
    const response = await graphql(on.graphqlUrl, { query: '{ publicInfo }', headers: { cookie: `hanko=${await issuer.mint({}, { ttl: -60 })}` } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="token expired"');
  });

  test('an Authorization header wins over the cookie, even when the header token is invalid', async () => {
    const cookie = `hanko=${await issuer.mint({ sub: 'from-cookie' })}`;
    const valid = await graphql(on.graphqlUrl, { query: ME, token: await issuer.mint({ sub: 'from-header' }), headers: { cookie } });
    assert.deepEqual(valid.body, { data: { me: { sub: 'from-header' } } });
    const invalid = await graphql(on.graphqlUrl, { query: ME, token: 'not.a.token', headers: { cookie } });
    assert.equal(invalid.status, 401);
    const basic = await graphql(on.graphqlUrl, { query: ME, headers: { cookie, authorization: 'Basic YTpi' } });
    assert.equal(basic.status, 401);
    assert.equal(basic.headers.get('www-authenticate'), 'Bearer error="invalid_request", error_description="not a Bearer credential"');
  });

  test('two cookies of the same name are ambiguous: 401 invalid_request', async () => {
    const token = await issuer.mint();
    const response = await graphql(on.graphqlUrl, { query: ME, headers: { cookie: `hanko=${token}; hanko=${token}` } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_request", error_description="more than one hanko cookie"');
  });

  for (const [name, init] of [
    ['a GET request', { method: 'GET' }],
    ['a form POST', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(ME)}` }],
  ] as const) {
    test(`a forged cross-site request (${name}) cannot use the cookie: 403`, async () => {
      const cookie = `hanko=${await issuer.mint({ roles: ['editor'] })}`;
      const url = init.method === 'GET' ? `${on.graphqlUrl}?query=${encodeURIComponent(ME)}` : on.graphqlUrl;
      const response = await fetch(url, { ...init, headers: { ...('headers' in init ? init.headers : {}), cookie, origin: 'https://evil.example', accept: 'application/json' } });
      const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      assert.equal(response.status, 403);
      assert.equal(body.data, undefined);
      assert.deepEqual(body.errors.map((error) => error.extensions.code), ['FORBIDDEN']);
    });
  }

  for (const contentType of ['text/plain', 'multipart/form-data; boundary=x']) {
    test(`a ${contentType.split(';')[0]} POST is refused before any credential is read`, async () => {
      const response = await fetch(on.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': contentType, cookie: `hanko=${await issuer.mint()}` },
        body: `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: ME })}\r\n--x--\r\n`,
      });
      const expected = contentType.startsWith('multipart')
        ? JSON.stringify({ errors: [{ message: 'Multipart requests are not accepted.', extensions: { code: 'BAD_REQUEST' } }] })
        : '';
      assert.deepEqual([response.status, await response.text()], [415, expected]);
    });
  }

  test('a GET with the cookie and X-Requested-With (needs a preflight) is accepted', async () => {
    const response = await fetch(`${on.graphqlUrl}?query=${encodeURIComponent(ME)}`, {
      headers: { cookie: `hanko=${await issuer.mint({ sub: 'xhr' })}`, 'x-requested-with': 'XMLHttpRequest', accept: 'application/json' },
    });
    assert.deepEqual([response.status, await response.json()], [200, { data: { me: { sub: 'xhr' } } }]);
  });

  test('CORS: a preflight from an unlisted origin gets no permission; a listed origin gets credentials', async () => {
    const preflight = (origin: string) =>
      fetch(on.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const evil = await preflight('https://evil.example');
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    assert.equal(evil.headers.get('access-control-allow-credentials'), null);
    const app = await preflight('https://app.example.com');
    assert.equal(app.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(app.headers.get('access-control-allow-credentials'), 'true');
  });
});

describe('cookie source off', () => {
  test('cookies are ignored: the request is anonymous', async () => {
    const response = await graphql(off.graphqlUrl, { query: ME, headers: { cookie: `hanko=${await issuer.mint()}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { me: null });
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');
  });

  test('an invalid cookie does not matter either', async () => {
    const response = await graphql(off.graphqlUrl, { query: '{ publicInfo }', headers: { cookie: 'hanko=garbage' } });
    assert.deepEqual([response.status, response.body], [200, { data: { publicInfo: 'claimgate example API' } }]);
  });

  test('without cookies, CORS never grants credentials', async () => {
    const response = await fetch(off.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://any.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(response.headers.get('access-control-allow-credentials'), null);
  });
});
