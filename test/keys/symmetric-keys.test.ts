// Defence in depth behind the algorithm allow-list: a JWKS that publishes a
// symmetric (oct) key never lends it to verification, so a token HS256-signed
// with that published "secret" is refused, and getKey never returns it.
// Three layers refuse it: the algorithm allow-list (no HS* accepted), our
// key filter (asymmetric kty, no private members), and jose's local key set
// (it supports no symmetric alg). Removing our filter alone is therefore an
// equivalent mutant; these tests pin the combined behaviour.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, base64url } from 'jose';
import { JwksCache, silentLogger } from '../../src/index.ts';
import { createTestKey, TEST_AUDIENCE } from '../support/test-issuer.ts';
import { graphql, startTestApi } from '../support/test-api.ts';

const secret = new TextEncoder().encode('a shared secret that is published for all to see!');
const rsa = await createTestKey('RS256', 'rsa-1');
const octJwk = { kty: 'oct', kid: 'sym', alg: 'HS256', use: 'sig', k: base64url.encode(secret) };
const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [octJwk, rsa.publicJwk] })));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

test('getKey never returns a published oct key, whatever alg the header names', async () => {
  const cache = new JwksCache({ issuer: origin, jwksUri: new URL(`${origin}/jwks`), logger: silentLogger });
  await cache.start();
  try {
    assert.equal(cache.ready, true, 'the RSA key loaded');
    for (const alg of ['HS256', 'RS256']) {
      await assert.rejects(() => Promise.resolve(cache.getKey({ alg, kid: 'sym' }, { payload: '', signature: '' } as never)), `kid "sym" with ${alg}`);
    }
  } finally {
    cache.close();
  }
});

test('a token HS256-signed with the published secret is refused over HTTP (401), never executed', async () => {
  const api = await startTestApi({ AUTH_ISSUER: origin, AUTH_AUDIENCE: TEST_AUDIENCE, AUTH_JWKS_URI: `${origin}/jwks` });
  try {
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'sym' })
      .setIssuer(origin).setAudience(TEST_AUDIENCE).setSubject('mallory').setIssuedAt().setExpirationTime('5m')
      .sign(secret);
    const response = await graphql(api.graphqlUrl, { query: '{ adminReport }', token });
    assert.equal(response.status, 401);
    assert.equal(response.body.data, undefined);
  } finally {
    await api.close();
  }
});
