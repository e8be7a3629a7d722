// "Is the key that verified this principal's token still published?" —
// what a long-lived subscription asks after each key-set change.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createIssuerConfig } from '../../src/verification/issuer-config.ts';
import { silentLogger } from '../../src/telemetry/log.ts';
import type { Principal } from '../../src/principal/principal.ts';
import { TokenVerifier } from '../../src/verification/token-verifier.ts';
import { createTestKey, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

let issuer: TestIssuer;
let verifier: TokenVerifier;
const changes: string[] = [];

before(async () => {
  issuer = await startTestIssuer();
  verifier = new TokenVerifier({
    issuers: [createIssuerConfig({ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri })],
    logger: silentLogger,
    jwks: { cooldownMs: 0 },
  });
  verifier.onKeySetChange((changed) => changes.push(changed));
  await verifier.start();
});
after(async () => {
  verifier?.close();
  await issuer?.close();
});

test('present while the signing key (issuer and kid) is published; gone once a refresh drops it; listeners hear each change', async () => {
  const [original] = issuer.keys;
  const next = await createTestKey();
  const principal = await verifier.verify(await issuer.mint());
  // A token without kid: the one key of its type is the candidate.
  const withoutKid = await verifier.verify(await issuer.mint({ sub: 'no-kid' }, { header: { kid: undefined } }));
  assert.deepEqual([verifier.isSigningKeyPresent(principal), verifier.isSigningKeyPresent(withoutKid)], [true, true]);
  assert.deepEqual(changes, [issuer.issuer]);

  issuer.publish([original!, next]);
  await verifier.keyCaches[0]!.reload();
  assert.deepEqual([verifier.isSigningKeyPresent(principal), verifier.isSigningKeyPresent(withoutKid)], [true, true]);

  // The same key material under another kid is another key: the token names the old kid.
  issuer.publish([{ ...next }, { ...original!, kid: 'renamed', publicJwk: { ...original!.publicJwk, kid: 'renamed' } }]);
  await verifier.keyCaches[0]!.reload();
  assert.equal(verifier.isSigningKeyPresent(principal), false);

  issuer.publish([next]);
  await verifier.keyCaches[0]!.reload();
  assert.deepEqual([verifier.isSigningKeyPresent(principal), verifier.isSigningKeyPresent(withoutKid)], [false, false]);
  assert.deepEqual(changes, [issuer.issuer, issuer.issuer, issuer.issuer, issuer.issuer]);
  issuer.publish([original!, next]);
  await verifier.keyCaches[0]!.reload();
});

test('a principal this verifier did not produce has no key here', () => {
  const forged = Object.freeze({ subject: 'x', issuer: issuer.issuer, roles: [], scopes: [], expiresAt: 4_000_000_000, claims: {} }) as Principal;
  assert.equal(verifier.isSigningKeyPresent(forged), false);
});

test('a token with no candidate key left (the key set changed while it was verified): gone at once, fail closed', async () => {
  // The race cannot be staged over HTTP deterministically: a refresh that drops
  // the key lands between jose's key lookup and ours. Our lookup is made to
  // find nothing, as it would then.
  const keys = verifier.keyCaches[0]!;
  const lookup = keys.keyIdsFor;
  keys.keyIdsFor = () => [];
  try {
    const principal = await verifier.verify(await issuer.mint({ sub: 'raced' }));
    assert.equal(verifier.isSigningKeyPresent(principal), false);
  } finally {
    keys.keyIdsFor = lookup;
  }
  // And a token without kid is verified only when exactly one key of its type is published (jose refuses to guess).
  const next = await createTestKey();
  issuer.publish([issuer.keys[0]!, next]);
  await keys.reload();
  const kidless = await issuer.mint({ sub: 'no-kid-2' }, { header: { kid: undefined } });
  await assert.rejects(async () => verifier.verify(kidless), { reason: 'bad_signature', detail: 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' });
  issuer.publish([issuer.keys[0]!]);
  await keys.reload();
});
