// RFC 8725 (JWT best current practices) attacks, each sent over real HTTP to
// the real server: every one must answer 401 invalid_token with nothing executed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { CompactEncrypt, SignJWT, generateKeyPair } from 'jose';
import { createTestKey, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';
import { startKeyServer, type KeyServer } from '../support/key-server.ts';
import { b64, rawSign } from '../support/raw-jws.ts';

let issuer: TestIssuer;
let api: TestApi;
let attacker: KeyServer;

before(async () => {
  issuer = await startTestIssuer();
  attacker = await startKeyServer();
  api = await startTestApi(issuer.env());
});
after(async () => {
  await api.close();
  await issuer.close();
  await attacker.close();
});

async function expectRejected(token: string, description: string) {
  const response = await graphql(api.graphqlUrl, { query: '{ publicInfo me { sub } }', token });
  assert.equal(response.status, 401, `status for ${description}`);
  assert.equal(
    response.headers.get('www-authenticate'),
    `Bearer error="invalid_token", error_description="${description}"`,
  );
  assert.deepEqual(response.body, {
    errors: [{ message: `Unauthenticated: ${description}.`, extensions: { code: 'UNAUTHENTICATED' } }],
  });
}

function payload(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer.issuer, aud: TEST_AUDIENCE, sub: 'mallory', iat: now, exp: now + 600, roles: ['admin'], ...extra };
}

describe('RFC 8725 attacks are refused', () => {
  test('a valid token is accepted (the control case)', async () => {
    const response = await graphql(api.graphqlUrl, { query: '{ me { sub } }', token: await issuer.mint() });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { data: { me: { sub: 'alice' } } });
  });

  test('alg none', async () => {
    await expectRejected(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.`, 'malformed token');
    await expectRejected(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.c2ln`, 'algorithm not allowed');
  });

  test('HS256 signed with the RSA public key as the secret', async () => {
    const key = issuer.keys[0]!;
    const header = b64({ alg: 'HS256', kid: key.kid, typ: 'JWT' });
    const body = b64(payload());
    for (const secret of [JSON.stringify(key.publicJwk), key.publicJwk.n!]) {
      const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
      await expectRejected(`${header}.${body}.${signature}`, 'algorithm not allowed');
    }
  });

  test('same kid, another key', async () => {
    const impostor = await createTestKey('RS256', issuer.keys[0]!.kid);
    await expectRejected(await issuer.mint({}, { key: impostor }), 'invalid signature');
  });

  test('tampered payload', async () => {
    const [header, , signature] = (await issuer.mint({ roles: ['reader'] })).split('.');
    await expectRejected(`${header}.${b64(payload({ sub: 'alice', roles: ['admin'] }))}.${signature}`, 'invalid signature');
  });

  test('truncated or empty signature', async () => {
    const token = await issuer.mint();
    await expectRejected(token.slice(0, -10), 'invalid signature');
    await expectRejected(token.slice(0, token.lastIndexOf('.') + 1), 'malformed token');
  });

  test('expired, and not yet valid (nbf and iat in the future beyond the tolerance)', async () => {
    await expectRejected(await issuer.mint({}, { ttl: -60 }), 'token expired');
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await issuer.mint({ nbf: now + 120 }), 'token not yet valid');
    await expectRejected(await issuer.mint({ iat: now + 120 }), 'token issued in the future');
  });

  test('within the clock tolerance (5 s) is accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = await graphql(api.graphqlUrl, { query: '{ me { sub } }', token: await issuer.mint({ nbf: now + 2, iat: now + 2 }) });
    assert.equal(response.status, 200);
  });

  test('missing exp, iss or aud; wrong iss or aud', async () => {
    await expectRejected(await issuer.mint({ exp: undefined }), 'required claim missing');
    await expectRejected(await issuer.mint({ iss: undefined }), 'untrusted issuer');
    await expectRejected(await issuer.mint({ aud: undefined }), 'required claim missing');
    await expectRejected(await issuer.mint({ iss: `${issuer.issuer}/` }), 'untrusted issuer');
    await expectRejected(await issuer.mint({ aud: 'https://other.example' }), 'invalid audience');
    await expectRejected(await issuer.mint({ aud: TEST_AUDIENCE.toUpperCase() }), 'invalid audience');
  });

  test('exp, nbf, iat that are not numbers; a payload that is not an object', async () => {
    await expectRejected(await issuer.mint({ exp: String(Math.floor(Date.now() / 1000) + 600) }), 'invalid claim');
    await expectRejected(await issuer.mint({ nbf: 'yesterday' }), 'invalid claim');
    await expectRejected(await issuer.mint({ iat: null }), 'invalid claim');
    const key = issuer.keys[0]!;
    const arrayPayload = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .sign(key.privateKey)
      .then((token) => token.split('.'));
    await expectRejected(`${arrayPayload[0]}.${b64([1, 2])}.${arrayPayload[2]}`, 'malformed token');
  });

  test('jku, x5u and jwk headers are never followed or trusted', async () => {
    const { privateKey, publicJwk: attackerJwk } = await createTestKey('RS256', 'attacker');
    attacker.set('/jwks.json', { keys: [attackerJwk] });
    for (const header of [
      { jku: attacker.url('/jwks.json') },
      { x5u: attacker.url('/cert.pem') },
      { jwk: attackerJwk },
      { x5c: [Buffer.from('not a certificate the server will ever parse').toString('base64')] },
    ]) {
      const token = await new SignJWT(payload())
        .setProtectedHeader({ alg: 'RS256', kid: 'attacker', ...header } as never)
        .sign(privateKey);
      await expectRejected(token, 'no matching key');
    }
    assert.equal(attacker.requests('/jwks.json') + attacker.requests('/cert.pem'), 0);
  });

  test('unknown crit header', async () => {
    const key = issuer.keys[0]!;
    const token = rawSign({ alg: 'RS256', kid: key.kid, crit: ['exp-ext'], 'exp-ext': 1 }, payload(), key.privateKey);
    await expectRejected(token, 'unsupported token');
  });

  test('JWE-shaped and wrong segment counts', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload())))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(publicKey);
    await expectRejected(jwe, 'encrypted tokens are not accepted');
    const token = await issuer.mint();
    await expectRejected(token.split('.').slice(0, 2).join('.'), 'malformed token');
    await expectRejected(`${token}.${token.split('.')[2]}`, 'malformed token');
    await expectRejected('abc', 'malformed token');
  });

  test('"=" padding appended is not "fixed"', async () => {
    const token = await issuer.mint();
    await expectRejected(`${token}=`, 'malformed token');
    await expectRejected(`${token}==`, 'malformed token');
    const [header, body, signature] = token.split('.');
    // Padding inside the credential breaks RFC 6750's b64token grammar: a malformed request.
    const response = await graphql(api.graphqlUrl, { query: '{ publicInfo }', token: `${header}=.${body}.${signature}` });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_request", error_description="not a Bearer credential"');
  });

  test('standard base64 characters instead of base64url', async () => {
    const token = await issuer.mint();
    const [header, body, signature] = token.split('.');
    await expectRejected(`${header}.${body}.${signature!.replaceAll('-', '+').replaceAll('_', '/')}x+/`, 'malformed token');
  });

  test('oversized token', async () => {
    await expectRejected(await issuer.mint({ padding: 'x'.repeat(9_000) }), 'token too large');
    // Past Node's own header limit the request never reaches us, and nothing crashes.
    const huge = await fetch(api.graphqlUrl, { method: 'POST', headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } });
    assert.equal(huge.status, 431);
  });

  test('a signature by a key published under another alg is refused', async () => {
    const key = issuer.keys[0]!;
    const token = rawSign({ alg: 'PS256', kid: key.kid }, payload(), key.privateKey, { pss: true });
    await expectRejected(token, 'no matching key');
  });

  test('rejections are logged with reason, kid and iss, never the token', async () => {
    const token = await issuer.mint({}, { ttl: -60 });
    await graphql(api.graphqlUrl, { query: '{ publicInfo }', token });
    const line = api.logs.findLast((entry) => entry.event === 'token.rejected')!;
    assert.deepEqual(
      { reason: line.fields.reason, kid: line.fields.kid, iss: line.fields.iss },
      { reason: 'expired', kid: issuer.keys[0]!.kid, iss: issuer.issuer },
    );
    assert.ok(!JSON.stringify(api.logs).includes(token.split('.')[2]!), 'the token never reaches the log');
  });
});

describe('every default algorithm verifies', () => {
  const algs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
  let multi: TestIssuer;
  let multiApi: TestApi;
  before(async () => {
    multi = await startTestIssuer({ algs });
    multiApi = await startTestApi(multi.env());
  });
  after(async () => {
    await multiApi.close();
    await multi.close();
  });

  for (const [index, alg] of algs.entries()) {
    test(alg, async () => {
      const token = await multi.mint({ sub: alg }, { key: multi.keys[index]! });
      const response = await graphql(multiApi.graphqlUrl, { query: '{ me { sub } }', token });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { data: { me: { sub: alg } } });
    });
  }

  test('an algorithm outside AUTH_ALGORITHMS is refused', async () => {
    const narrow = await startTestApi(multi.env({ AUTH_ALGORITHMS: 'ES256' }));
    try {
      const response = await graphql(narrow.graphqlUrl, { query: '{ me { sub } }', token: await multi.mint() });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="algorithm not allowed"');
    } finally {
      await narrow.close();
    }
  });
});
