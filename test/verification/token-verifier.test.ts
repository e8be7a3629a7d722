// TokenVerifier alone, on an injected clock: the exact edges of exp, nbf and
// iat (first sight and cache hit alike), the options it takes, and the log
// line each refusal leaves for the operator (reason, detail, kid, iss).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenRejectedError, TokenVerifier } from '../../src/index.ts';
import { loadConfig } from '../../src/server/index.ts';
import { createTestKey, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';
import { createMemoryLogger, type LogLine } from '../support/test-api.ts';
import { b64 } from '../support/raw-jws.ts';

let issuer: TestIssuer;
before(async () => {
  issuer = await startTestIssuer();
});
after(() => issuer.close());


async function verifier(options: { now?: () => number; env?: Record<string, string>; tokenCacheSize?: number; maxTokenBytes?: number; clockToleranceSeconds?: number } = {}) {
  const logs: LogLine[] = [];
  const { env = {}, ...rest } = options;
  const instance = new TokenVerifier({ issuers: loadConfig(issuer.env(env)).issuers, logger: createMemoryLogger(logs), jwks: { cooldownMs: 0 }, ...rest });
  await instance.start();
  return { v: instance, logs };
}

async function outcome(v: TokenVerifier, token: string): Promise<string> {
  try {
    await v.verify(token);
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof TokenRejectedError, String(error));
    return error.reason;
  }
}

describe('the clock edges, first sight and cache hit alike', () => {
  test('exp: accepted until exp + tolerance, refused from that second on', async () => {
    const t = Math.floor(Date.now() / 1000);
    let now = t * 1000;
    const { v } = await verifier({ now: () => now });
    const token = await issuer.mint({ iat: t, exp: t + 60 });
    // First sight at the last good millisecond, then a cache hit there, then the edge.
    now = (t + 65) * 1000 - 1;
    assert.equal(await outcome(v, token), 'accepted');
    assert.equal(await outcome(v, token), 'accepted');
    assert.equal(v.stats.cacheHits, 1);
    now = (t + 65) * 1000;
    assert.equal(await outcome(v, token), 'expired', 'the cache hit re-checks exp by jose\'s rule');
    const fresh = await verifier({ now: () => now });
    assert.equal(await outcome(fresh.v, token), 'expired', 'jose refuses it at the same second');
    v.close();
    fresh.v.close();
  });

  test('nbf: a cached token is judged again when the clock goes back before nbf - tolerance', async () => {
    const t = Math.floor(Date.now() / 1000);
    let now = t * 1000;
    const { v } = await verifier({ now: () => now });
    const token = await issuer.mint({ iat: t - 10, nbf: t });
    assert.equal(await outcome(v, token), 'accepted');
    now = (t - 5) * 1000;
    assert.equal(await outcome(v, token), 'accepted');
    assert.equal(v.stats.cacheHits, 1, 'nbf = now + tolerance still holds: a cache hit');
    now = (t - 6) * 1000;
    assert.equal(await outcome(v, token), 'not_yet_valid');
    assert.equal(v.stats.cacheHits, 1, 'not answered from the cache');
    v.close();
  });

  test('iat: up to the tolerance ahead is accepted, a second more is "issued in the future"', async () => {
    const t = Math.floor(Date.now() / 1000);
    const { v } = await verifier({ now: () => t * 1000 });
    assert.equal(await outcome(v, await issuer.mint({ iat: t + 5 })), 'accepted');
    assert.equal(await outcome(v, await issuer.mint({ iat: t + 6 })), 'issued_in_future');
    v.close();
  });

  test('clockToleranceSeconds: 0 refuses a token one second past exp', async () => {
    const t = Math.floor(Date.now() / 1000);
    const { v } = await verifier({ now: () => (t + 61) * 1000, clockToleranceSeconds: 0 });
    assert.equal(await outcome(v, await issuer.mint({ iat: t, exp: t + 60 })), 'expired');
    v.close();
  });
});

describe('options', () => {
  test('no issuer is a TypeError', () => {
    assert.throws(() => new TokenVerifier({ issuers: [], logger: createMemoryLogger([]) }), { name: 'TypeError', message: 'TokenVerifier needs at least one issuer' });
  });

  test('maxTokenBytes: a longer token is refused as too large, before any decoding', async () => {
    const { v, logs } = await verifier({ maxTokenBytes: 100 });
    const token = await issuer.mint();
    assert.equal(await outcome(v, token), 'too_large');
    assert.deepEqual(logs.at(-1), { level: 'warn', event: 'token.rejected', fields: { reason: 'too_large', detail: `${token.length} characters`, kid: null, iss: null } });
    assert.equal(await outcome(v, 'a'.repeat(100)), 'malformed', 'exactly the limit is not too large');
    v.close();
  });

  test('tokenCacheSize 0: every request is verified again', async () => {
    const { v } = await verifier({ tokenCacheSize: 0 });
    const token = await issuer.mint();
    await v.verify(token);
    await v.verify(token);
    assert.deepEqual(v.stats, { verifyCalls: 2, cacheHits: 0 });
    v.close();
  });

  test('a refusal answered from the refused-token cache is logged again, the same way', async () => {
    const { v, logs } = await verifier();
    const token = await issuer.mint({ aud: 'https://other.example' });
    assert.equal(await outcome(v, token), 'invalid_audience');
    assert.throws(() => v.verify(token), TokenRejectedError);
    assert.equal(v.stats.cacheHits, 1);
    const rejected = logs.filter((line) => line.event === 'token.rejected');
    assert.equal(rejected.length, 2);
    assert.deepEqual(rejected[1], rejected[0]);
    v.close();
  });
});

describe('every refusal leaves one log line: reason, detail, kid, iss', () => {
  const header = () => ({ alg: 'RS256', kid: issuer.keys[0]!.kid, typ: 'JWT' });
  const claims = (extra: Record<string, unknown> = {}) => {
    const t = Math.floor(Date.now() / 1000);
    return { iss: issuer.issuer, aud: TEST_AUDIENCE, sub: 'alice', iat: t, exp: t + 600, ...extra };
  };
  const cases: { name: string; token: () => Promise<string> | string; env?: Record<string, string>; fields: () => Record<string, unknown> }[] = [
    { name: 'two segments', token: () => 'a.b', fields: () => ({ reason: 'malformed', detail: '2 segments', kid: null, iss: null }) },
    { name: 'five segments', token: () => 'a.b.c.d.e', fields: () => ({ reason: 'encrypted', detail: 'five segments (JWE)', kid: null, iss: null }) },
    { name: 'an empty segment', token: () => `${b64(header())}..c2ln`, fields: () => ({ reason: 'malformed', detail: 'segment is empty or not base64url', kid: null, iss: null }) },
    { name: 'a header that is not JSON', token: () => `${b64('{x')}.${b64(claims())}.c2ln`, fields: () => ({ reason: 'malformed', detail: 'header is not JSON', kid: null, iss: null }) },
    { name: 'a header that is null', token: () => `${b64('null')}.${b64(claims())}.c2ln`, fields: () => ({ reason: 'malformed', detail: 'header is not a JSON object', kid: null, iss: null }) },
    { name: 'a payload that is an array', token: () => `${b64(header())}.${b64([1])}.c2ln`, fields: () => ({ reason: 'malformed', detail: 'payload is not a JSON object', kid: null, iss: null }) },
    { name: 'a payload that is a string', token: () => `${b64(header())}.${b64('"x"')}.c2ln`, fields: () => ({ reason: 'malformed', detail: 'payload is not a JSON object', kid: null, iss: null }) },
    { name: 'no iss', token: () => issuer.mint({ iss: undefined }), fields: () => ({ reason: 'untrusted_issuer', detail: 'no iss claim', kid: issuer.keys[0]!.kid, iss: null }) },
    { name: 'an unknown iss', token: () => issuer.mint({ iss: 'https://evil.example' }), fields: () => ({ reason: 'untrusted_issuer', detail: 'iss is not a configured issuer', kid: issuer.keys[0]!.kid, iss: 'https://evil.example' }) },
    { name: 'an iss that is not a string', token: () => issuer.mint({ iss: 7 }), fields: () => ({ reason: 'untrusted_issuer', detail: 'iss is not a configured issuer', kid: issuer.keys[0]!.kid, iss: null }) },
    { name: 'a kid of 300 characters', token: () => issuer.mint({}, { header: { kid: 'k'.repeat(300) } }), fields: () => ({ reason: 'unknown_key', detail: 'ERR_JWKS_NO_MATCHING_KEY', kid: `${'k'.repeat(200)}…`, iss: issuer.issuer }) },
    { name: 'a kid of exactly 200 characters', token: () => issuer.mint({}, { header: { kid: 'k'.repeat(200) } }), fields: () => ({ reason: 'unknown_key', detail: 'ERR_JWKS_NO_MATCHING_KEY', kid: 'k'.repeat(200), iss: issuer.issuer }) },
    { name: 'expired', token: () => issuer.mint({}, { ttl: -60 }), fields: () => ({ reason: 'expired', detail: 'ERR_JWT_EXPIRED', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'a wrong audience', token: () => issuer.mint({ aud: 'https://other.example' }), fields: () => ({ reason: 'invalid_audience', detail: 'aud: check_failed', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'no exp', token: () => issuer.mint({ exp: undefined }), fields: () => ({ reason: 'missing_claim', detail: 'exp: missing', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'nbf not a number', token: () => issuer.mint({ nbf: 'soon' }), fields: () => ({ reason: 'invalid_claim', detail: 'nbf: invalid', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'nbf ahead', token: () => issuer.mint({ nbf: Math.floor(Date.now() / 1000) + 600 }), fields: () => ({ reason: 'not_yet_valid', detail: 'nbf: check_failed', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'iat not a number', token: () => issuer.mint({ iat: 'then' }), fields: () => ({ reason: 'invalid_claim', detail: 'iat: invalid', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'iat ahead', token: () => issuer.mint({ iat: Math.floor(Date.now() / 1000) + 600 }), fields: () => ({ reason: 'issued_in_future', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'another key, same kid', token: async () => issuer.mint({}, { key: await createTestKey('RS256', issuer.keys[0]!.kid) }), fields: () => ({ reason: 'bad_signature', detail: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'an algorithm off the list', token: async () => issuer.mint({}, { key: await createTestKey('RS256', issuer.keys[0]!.kid) }), env: { AUTH_ALGORITHMS: 'ES256' }, fields: () => ({ reason: 'algorithm_not_allowed', detail: 'ERR_JOSE_ALG_NOT_ALLOWED', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'a wrong typ', token: () => issuer.mint({}, { header: { typ: 'JWT' } }), env: { AUTH_TOKEN_TYPE: 'at+jwt' }, fields: () => ({ reason: 'wrong_token_type', detail: 'typ: check_failed', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'a wrong token_use', token: () => issuer.mint({ token_use: 'id' }), env: { AUTH_TOKEN_USE: 'access' }, fields: () => ({ reason: 'wrong_token_type', detail: 'token_use', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'no token_use where one is required', token: () => issuer.mint(), env: { AUTH_TOKEN_USE: 'access' }, fields: () => ({ reason: 'wrong_token_type', detail: 'token_use', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
    { name: 'no aud and a foreign client_id', token: () => issuer.mint({ aud: undefined, client_id: 'other-client' }), env: { AUTH_ALLOW_MISSING_AUDIENCE: 'true' }, fields: () => ({ reason: 'invalid_audience', detail: 'client_id', kid: issuer.keys[0]!.kid, iss: issuer.issuer }) },
  ];
  for (const { name, token, env, fields } of cases) {
    test(name, async () => {
      const { v, logs } = await verifier(env === undefined ? {} : { env });
      const value = await token();
      const expected = fields();
      assert.equal(await outcome(v, value), expected.reason);
      assert.deepEqual(logs.filter((line) => line.event === 'token.rejected'), [{ level: 'warn', event: 'token.rejected', fields: expected }]);
      v.close();
    });
  }

  test('accepted: no aud with the configured client_id, and token_use as configured', async () => {
    const { v, logs } = await verifier({ env: { AUTH_ALLOW_MISSING_AUDIENCE: 'true', AUTH_TOKEN_USE: 'access' } });
    assert.equal(await outcome(v, await issuer.mint({ aud: undefined, client_id: TEST_AUDIENCE, token_use: 'access' })), 'accepted');
    assert.equal(await outcome(v, await issuer.mint({ aud: undefined, token_use: 'access' })), 'accepted');
    assert.deepEqual(logs.filter((line) => line.event === 'token.rejected'), []);
    v.close();
  });
});
