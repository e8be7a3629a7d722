// Every way a verification can end, as the verifier reports it: the error,
// the metric, the span and the log line; which refusals are remembered (and
// which must be judged again); readiness across issuers; and the options a
// relaxed issuer still enforces. Real keys on a real JWKS endpoint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { KeysUnavailableError } from '../../src/keys/keys-unavailable-error.ts';
import { noopMetrics, type MetricsRecorder } from '../../src/telemetry/metrics-recorder.ts';
import { createIssuerConfig, type RawIssuer } from '../../src/verification/issuer-config.ts';
import { TokenRejectedError } from '../../src/verification/token-rejected-error.ts';
import { TokenVerifier, type TokenVerifierOptions } from '../../src/verification/token-verifier.ts';
import { startKeyServer, type KeyServer } from '../support/key-server.ts';
import { rawSign } from '../support/raw-jws.ts';
import { createMemoryLogger, type LogLine } from '../support/test-api.ts';
import { createTestKey, JWKS_PATH, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

let issuer: TestIssuer;
let down: KeyServer;
const open: TokenVerifier[] = [];

before(async () => {
  issuer = await startTestIssuer();
  down = await startKeyServer({});
  down.fail(JWKS_PATH, { kind: 'status', status: 500 });
});
after(async () => {
  for (const verifier of open) verifier.close();
  await issuer.close();
  await down.close();
});

interface Recorded {
  readonly metrics: [string, string, boolean][];
  readonly logs: LogLine[];
}

async function verifier(raw: Partial<RawIssuer>[] = [{}], options: Partial<TokenVerifierOptions> = {}): Promise<TokenVerifier & Recorded> {
  const metrics: [string, string, boolean][] = [];
  const logs: LogLine[] = [];
  const recorder: MetricsRecorder = { ...noopMetrics, tokenVerified: (outcome, reason, cache) => metrics.push([outcome, reason, cache]) };
  const instance = new TokenVerifier({
    issuers: raw.map((fields) => createIssuerConfig({ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri, ...fields })),
    logger: createMemoryLogger(logs),
    metrics: recorder,
    jwks: { cooldownMs: 0, retryInitialMs: 3_600_000 },
    ...options,
  });
  open.push(instance);
  await instance.start();
  return Object.assign(instance, { metrics, logs });
}

/** The reason a verification ends with ('accepted' when it does not throw); a cache hit throws synchronously. */
async function outcome(verify: () => unknown): Promise<string> {
  try {
    await verify();
    return 'accepted';
  } catch (error) {
    if (error instanceof KeysUnavailableError) return 'keys_unavailable';
    assert.ok(error instanceof TokenRejectedError, String(error));
    return error.reason;
  }
}

const rejections = (v: Recorded) => v.logs.filter((line) => line.event === 'token.rejected');
const spans = () => exporter.getFinishedSpans().filter((span) => span.name === 'claimgate.verify_token');
const summary = (span: ReadableSpan) => ({ attributes: { ...span.attributes }, status: span.status.code, message: span.status.message });

function claims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer.issuer, aud: TEST_AUDIENCE, sub: 'mallory', iat: now, exp: now + 600, ...extra };
}

describe('what each outcome reports', () => {
  test('accepted, then a cache hit: counted twice, one span, no log', async () => {
    const v = await verifier();
    exporter.reset();
    const token = await issuer.mint();
    assert.equal(await outcome(() => v.verify(token)), 'accepted');
    assert.equal(await outcome(() => v.verify(token)), 'accepted');
    assert.deepEqual(v.metrics, [['accepted', 'none', false], ['accepted', 'none', true]]);
    assert.deepEqual(spans().map(summary), [
      {
        attributes: { 'claimgate.issuer': issuer.issuer, 'claimgate.outcome': 'accepted', 'claimgate.reason': 'none', 'claimgate.cache_hit': false },
        status: 0,
        message: undefined,
      },
    ]);
    assert.deepEqual(rejections(v), []);
  });

  test('refused, then remembered: counted twice, one error span, logged each time with kid and iss', async () => {
    const v = await verifier();
    exporter.reset();
    const token = await issuer.mint({}, { ttl: -60 });
    assert.equal(await outcome(() => v.verify(token)), 'expired');
    assert.equal(await outcome(() => v.verify(token)), 'expired');
    assert.equal(v.stats.cacheHits, 1);
    assert.deepEqual(v.metrics, [['rejected', 'expired', false], ['rejected', 'expired', true]]);
    assert.deepEqual(spans().map(summary), [
      {
        attributes: { 'claimgate.issuer': issuer.issuer, 'claimgate.outcome': 'rejected', 'claimgate.reason': 'expired', 'claimgate.cache_hit': false },
        status: 2,
        message: 'expired',
      },
    ]);
    const line = { level: 'warn', event: 'token.rejected', fields: { reason: 'expired', detail: 'ERR_JWT_EXPIRED', kid: issuer.keys[0]!.kid, iss: issuer.issuer } };
    assert.deepEqual(rejections(v), [line, line]);
  });

  test('an unknown issuer: the span names no issuer, and a foreign iss is logged cut to 200 characters', async () => {
    const v = await verifier();
    exporter.reset();
    const foreign = `https://evil.example/${'x'.repeat(300)}`;
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ iss: foreign }))), 'untrusted_issuer');
    assert.deepEqual(spans().map(summary), [
      { attributes: { 'claimgate.outcome': 'rejected', 'claimgate.reason': 'untrusted_issuer', 'claimgate.cache_hit': false }, status: 2, message: 'untrusted_issuer' },
    ]);
    assert.deepEqual(rejections(v)[0]!.fields, { reason: 'untrusted_issuer', detail: 'iss is not a configured issuer', kid: issuer.keys[0]!.kid, iss: `${foreign.slice(0, 200)}…` });
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ iss: 42 }))), 'untrusted_issuer');
    assert.deepEqual(rejections(v)[1]!.fields, { reason: 'untrusted_issuer', detail: 'iss is not a configured issuer', kid: issuer.keys[0]!.kid, iss: null });
  });

  test('keys unavailable: KeysUnavailableError, counted as unavailable, an error span, logged without detail, never remembered', async () => {
    const v = await verifier([{ issuer: down.origin, jwksUri: down.url(JWKS_PATH) }]);
    exporter.reset();
    const token = await issuer.mint({ iss: down.origin });
    assert.equal(await outcome(() => v.verify(token)), 'keys_unavailable');
    assert.equal(await outcome(() => v.verify(token)), 'keys_unavailable');
    assert.equal(v.stats.cacheHits, 0);
    assert.deepEqual(v.metrics, [['unavailable', 'keys_unavailable', false], ['unavailable', 'keys_unavailable', false]]);
    assert.deepEqual(spans().map(summary)[0], {
      attributes: { 'claimgate.issuer': down.origin, 'claimgate.outcome': 'unavailable', 'claimgate.reason': 'keys_unavailable', 'claimgate.cache_hit': false },
      status: 2,
      message: 'keys_unavailable',
    });
    assert.deepEqual(rejections(v)[0]!.fields, { reason: 'keys_unavailable', kid: issuer.keys[0]!.kid, iss: down.origin });
  });

  test('ready only when every issuer has keys', async () => {
    assert.equal((await verifier()).ready, true);
    const both = await verifier([{}, { issuer: down.origin, jwksUri: down.url(JWKS_PATH) }]);
    assert.deepEqual(both.keyCaches.map((keys) => keys.ready), [true, false]);
    assert.equal(both.ready, false);
  });

  test('the error a refusal throws is a TokenRejectedError by name and code', async () => {
    const v = await verifier();
    const error = await Promise.resolve().then(() => v.verify('a.b')).catch((caught: unknown) => caught);
    assert.ok(error instanceof TokenRejectedError);
    assert.equal(error.name, 'TokenRejectedError');
    assert.equal(error.code, TokenRejectedError.code);
    assert.equal(error.message, 'malformed token');
  });
});

describe('the refused-token cache', () => {
  test('every refusal that neither time nor new keys can change is remembered: the retry is a cache hit', async () => {
    const key = issuer.keys[0]!;
    const stranger = await createTestKey('RS256', key.kid);
    const es256 = await createTestKey('ES256');
    const cases: [string, () => Promise<string> | string, Partial<RawIssuer>?][] = [
      ['malformed', () => 'a.b'],
      ['too_large', () => issuer.mint({ pad: 'x'.repeat(9_000) })],
      ['encrypted', () => 'a.b.c.d.e'],
      ['expired', () => issuer.mint({}, { ttl: -60 })],
      ['bad_signature', () => issuer.mint({}, { key: stranger })],
      ['algorithm_not_allowed', () => issuer.mint({}, { key: es256 }), { algorithms: ['RS256'] }],
      ['untrusted_issuer', () => issuer.mint({ iss: 'https://evil.example' })],
      ['invalid_audience', () => issuer.mint({ aud: 'https://other.example' })],
      ['missing_claim', () => issuer.mint({ exp: undefined })],
      ['invalid_claim', () => issuer.mint({ exp: 'tomorrow' })],
      ['wrong_token_type', () => issuer.mint(), { tokenUse: 'access' }],
      ['unsupported', () => rawSign({ alg: 'RS256', kid: key.kid, crit: ['x-ext'], 'x-ext': 1 }, claims(), key.privateKey)],
    ];
    for (const [reason, make, fields] of cases) {
      const v = await verifier([fields ?? {}]);
      const token = await make();
      assert.equal(await outcome(() => v.verify(token)), reason);
      assert.equal(await outcome(() => v.verify(token)), reason);
      assert.equal(v.stats.cacheHits, 1, `${reason} is remembered`);
    }
  });

  test('not yet valid, issued in the future and unknown key are judged again on every try', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unpublished = await createTestKey('RS256');
    const cases: [string, () => Promise<string>][] = [
      ['not_yet_valid', () => issuer.mint({ nbf: now + 600 })],
      ['issued_in_future', () => issuer.mint({ iat: now + 600 })],
      ['unknown_key', () => issuer.mint({}, { key: unpublished })],
    ];
    for (const [reason, make] of cases) {
      const v = await verifier();
      const token = await make();
      assert.equal(await outcome(() => v.verify(token)), reason);
      assert.equal(await outcome(() => v.verify(token)), reason);
      assert.equal(v.stats.cacheHits, 0, `${reason} is not remembered`);
    }
  });

  test('close() forgets every decision', async () => {
    const v = await verifier();
    const good = await issuer.mint();
    const bad = 'a.b';
    await v.verify(good);
    await outcome(() => v.verify(bad));
    v.close();
    await outcome(() => v.verify(good));
    await outcome(() => v.verify(bad));
    assert.equal(v.stats.cacheHits, 0);
  });
});

describe('what jose refuses maps to a reason', () => {
  test('an invalid crit header (jose: JWSInvalid) is malformed', async () => {
    const key = issuer.keys[0]!;
    const v = await verifier();
    for (const crit of [[], 'x-ext', [''], [7]]) {
      assert.equal(await outcome(() => v.verify(rawSign({ alg: 'RS256', kid: key.kid, crit }, claims(), key.privateKey))), 'malformed', JSON.stringify(crit));
      assert.equal(rejections(v).at(-1)!.fields.detail, 'ERR_JWS_INVALID');
    }
  });

  test('an unencoded payload (b64: false) is malformed', async () => {
    const key = issuer.keys[0]!;
    const v = await verifier();
    const token = rawSign({ alg: 'RS256', kid: key.kid, b64: false, crit: ['b64'] }, claims(), key.privateKey);
    assert.equal(await outcome(() => v.verify(token)), 'malformed');
  });

  test('a kid that matches two published keys is refused as a bad signature', async () => {
    const [original] = issuer.keys;
    const twin = await createTestKey('RS256', original!.kid);
    issuer.publish([original!, twin]);
    try {
      const v = await verifier();
      assert.equal(await outcome(async () => v.verify(await issuer.mint({}, { key: twin }))), 'bad_signature');
      assert.equal(rejections(v).at(-1)!.fields.detail, 'ERR_JWKS_MULTIPLE_MATCHING_KEYS');
    } finally {
      issuer.publish([original!]);
    }
  });

  test('a published key whose material cannot be imported refuses the token (fail closed)', async () => {
    const [original] = issuer.keys;
    issuer.publish([original!, { ...original!, kid: 'broken', publicJwk: { ...original!.publicJwk, kid: 'broken', n: 'AQAB' } }]);
    try {
      const v = await verifier();
      const token = await issuer.mint({}, { key: { ...original!, kid: 'broken' } });
      // WebCrypto's own error, not jose's: refused as malformed, with a detail that says it was unexpected.
      assert.equal(await outcome(() => v.verify(token)), 'malformed');
      assert.equal(rejections(v).at(-1)!.fields.detail, 'unexpected verification failure');
    } finally {
      issuer.publish([original!]);
    }
  });
});

describe('a relaxed issuer relaxes one claim only', () => {
  test('allowMissingAudience: a token without aud is still held to exp, the algorithms and typ', async () => {
    const v = await verifier([{ allowMissingAudience: true, tokenType: 'at+jwt', algorithms: ['RS256'] }]);
    const key = issuer.keys[0]!;
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined }, { header: { typ: 'at+jwt' } }))), 'accepted');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined, exp: undefined }, { header: { typ: 'at+jwt' } }))), 'missing_claim');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined }))), 'wrong_token_type');
    const es256 = await createTestKey('ES256', key.kid);
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined }, { key: es256, header: { typ: 'at+jwt' } }))), 'algorithm_not_allowed');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: 'https://other.example' }, { header: { typ: 'at+jwt' } }))), 'invalid_audience');
  });

  test('allowMissingAudience with an injected clock: the same rules', async () => {
    const v = await verifier([{ allowMissingAudience: true }], { now: () => Date.now() });
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined }))), 'accepted');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ aud: undefined, exp: undefined }))), 'missing_claim');
  });

  test('allowMissingIssuer: a token without iss uses that issuer; with both opt-ins, a bare token is held to exp', async () => {
    const v = await verifier([{ allowMissingIssuer: true, allowMissingAudience: true }]);
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ iss: undefined, aud: undefined }))), 'accepted');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ iss: undefined, aud: undefined, exp: undefined }))), 'missing_claim');
    assert.equal(await outcome(async () => v.verify(await issuer.mint({ iss: undefined, aud: 'https://other.example' }))), 'invalid_audience');
  });
});

describe('key-set changes', () => {
  test('listeners hear each change until they unsubscribe, and not after close()', async () => {
    const v = await verifier();
    const heard: string[] = [];
    const unsubscribe = v.onKeySetChange((changed) => heard.push(changed));
    const [original] = issuer.keys;
    const next = await createTestKey('RS256');
    try {
      issuer.publish([original!, next]);
      await v.keyCaches[0]!.reload();
      assert.deepEqual(heard, [issuer.issuer]);
      unsubscribe();
      issuer.publish([original!]);
      await v.keyCaches[0]!.reload();
      assert.deepEqual(heard, [issuer.issuer]);
      v.onKeySetChange((changed) => heard.push(`late ${changed}`));
      v.close();
      issuer.publish([original!, next]);
      await v.keyCaches[0]!.reload();
      assert.deepEqual(heard, [issuer.issuer]);
    } finally {
      issuer.publish([original!]);
    }
  });
});
