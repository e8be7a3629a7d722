// The verified-token cache skips signature checks but can never widen what
// is accepted; the refused-token cache never outlives the keys it judged by.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { TokenRejectedError, TokenVerifier } from '../../src/index.ts';
import { loadConfig } from '../../src/server/index.ts';
import { createTestKey, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { createMemoryLogger } from '../support/test-api.ts';

let issuer: TestIssuer;
before(async () => {
  issuer = await startTestIssuer();
});
after(() => issuer.close());

async function verifier(options: { now?: () => number; tokenCacheSize?: number } = {}) {
  const instance = new TokenVerifier({
    issuers: loadConfig(issuer.env()).issuers,
    logger: createMemoryLogger([]),
    jwks: { cooldownMs: 0 },
    ...options,
  });
  await instance.start();
  return instance;
}

async function reason(promise: unknown): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof TokenRejectedError, String(error));
    return error.reason;
  }
}

describe('verified-token cache', () => {
  test('a cached token is refused once it expires (exp re-checked on every hit)', async () => {
    let now = Date.now();
    const v = await verifier({ now: () => now });
    const token = await issuer.mint({}, { ttl: 60 });
    // The verifier's clock starts at the token's iat, however long minting took on a loaded machine.
    now = decodeJwt(token).iat! * 1000;
    assert.equal((await v.verify(token)).subject, 'alice');
    assert.equal(await reason(v.verify(token)), 'accepted');
    assert.equal(v.stats.cacheHits, 1);
    now += 64_000; // within the 5 s tolerance
    assert.equal(await reason(v.verify(token)), 'accepted');
    now += 2_000; // past exp + tolerance
    assert.equal(await reason(v.verify(token)), 'expired');
    v.close();
  });

  test('a cached token never survives the removal of its signing key', async () => {
    const v = await verifier();
    const token = await issuer.mint();
    await v.verify(token);
    const replacement = await createTestKey('ES256');
    issuer.publish([replacement]);
    await v.keyCaches[0]!.reload();
    assert.equal(await reason(v.verify(token)), 'unknown_key');
    issuer.publish(issuer.keys);
    await v.keyCaches[0]!.reload();
    v.close();
  });

  test('the cache is bounded (least recently used out)', async () => {
    const v = await verifier({ tokenCacheSize: 2 });
    const [a, b, c] = await Promise.all([issuer.mint({ sub: 'a' }), issuer.mint({ sub: 'b' }), issuer.mint({ sub: 'c' })]);
    await v.verify(a!);
    await v.verify(b!);
    await v.verify(a!); // a is now the most recent
    await v.verify(c!); // evicts b
    const hits = v.stats.cacheHits;
    await v.verify(a!);
    await v.verify(b!);
    assert.equal(v.stats.cacheHits - hits, 1, 'a was kept, b was evicted');
    v.close();
  });

  test('the cache is keyed by the exact token string', async () => {
    const v = await verifier();
    const token = await issuer.mint();
    await v.verify(token);
    assert.equal(await reason(v.verify(`${token}=`)), 'malformed');
    v.close();
  });
});

describe('refused-token cache', () => {
  test('a bad signature is refused again without a new check, until the keys change', async () => {
    const v = await verifier();
    const rogue = await createTestKey('RS256', issuer.keys[0]!.kid);
    const token = await issuer.mint({}, { key: rogue });
    assert.equal(await reason(v.verify(token)), 'bad_signature');
    const hits = v.stats.cacheHits;
    assert.throws(() => v.verify(token), (error: unknown) => error instanceof TokenRejectedError && error.reason === 'bad_signature');
    assert.equal(v.stats.cacheHits, hits + 1);
    // The provider now publishes the key that signed it: the old verdict must not stand.
    issuer.publish([rogue]);
    await v.keyCaches[0]!.reload();
    assert.equal(await reason(v.verify(token)), 'accepted');
    issuer.publish(issuer.keys);
    await v.keyCaches[0]!.reload();
    v.close();
  });

  test('"not yet valid" is not remembered: the same token is accepted once its time comes', async () => {
    let now = Date.now();
    const v = await verifier({ now: () => now });
    const token = await issuer.mint({ nbf: Math.floor(now / 1000) + 60 });
    assert.equal(await reason(v.verify(token)), 'not_yet_valid');
    now += 60_000;
    assert.equal(await reason(v.verify(token)), 'accepted');
    v.close();
  });

  test('"unknown key" is not remembered: a token signed by a key published later is accepted once the cooldown lets a refetch find it', async () => {
    let now = Date.now();
    const v = new TokenVerifier({
      issuers: loadConfig(issuer.env()).issuers,
      logger: createMemoryLogger([]),
      jwks: { cooldownMs: 30_000 },
      now: () => now,
    });
    await v.start();
    const next = await createTestKey('RS256');
    const token = await issuer.mint({}, { key: next });
    // Inside the cooldown after start-up: no refetch, and the key set has not changed.
    assert.equal(await reason(v.verify(token)), 'unknown_key');
    const generation = v.keyCaches[0]!.generation;
    issuer.publish([...issuer.keys, next]);
    now += 30_000;
    // A remembered "unknown_key" would answer here without asking for the keys again.
    assert.equal(await reason(v.verify(token)), 'accepted');
    assert.equal(v.keyCaches[0]!.generation, generation + 1, 'the refetch found the new key');
    issuer.publish(issuer.keys);
    await v.keyCaches[0]!.reload();
    v.close();
  });
});
