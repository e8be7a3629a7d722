import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createYoga } from 'graphql-yoga';
import { createExampleSchema } from '../../src/example/create-example-schema.ts';
import { useClaimgate } from '../../src/plugin/use-claimgate.ts';
import { silentLogger } from '../../src/telemetry/log.ts';
import { createTestKey, JWKS_PATH, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

// One SDK for the file (the API's proxy keeps the first provider it finds).
const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
const testTracer = trace.getTracer('test');

let issuer: TestIssuer;
let yoga: ReturnType<typeof createYoga>;
before(async () => {
  issuer = await startTestIssuer();
  yoga = createYoga({
    schema: createExampleSchema(),
    plugins: [useClaimgate({ issuers: [{ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri }], logger: silentLogger, verifier: { jwks: { cooldownMs: 0, retryInitialMs: 3_600_000 } } })],
  });
  const deadline = Date.now() + 5_000;
  while ((await yoga.fetch('http://localhost/readyz')).status !== 200) {
    if (Date.now() > deadline) throw new Error('keys did not load');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
after(async () => {
  await yoga?.dispose();
  await issuer?.close();
});

async function post(query: string, token?: string): Promise<{ status: number; body: { errors?: { extensions?: { code?: string } }[] } }> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

const named = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
const summary = (span: ReadableSpan) => ({ attributes: { ...span.attributes }, status: span.status.code });

test('key fetches and first-seen verifications are spans with the issuer, outcome and reason, never the token; cache hits make none', async () => {
  assert.deepEqual(named('claimgate.fetch_keys').map(summary), [
    { attributes: { 'claimgate.issuer': issuer.issuer, 'claimgate.fetch_result': 'ok' }, status: 0 },
  ]);
  exporter.reset();
  const token = await issuer.mint({ sub: 'sub-secret-7', email: 'alice-secret@example.com' });
  assert.equal((await post('{ me { sub } }', token)).status, 200);
  assert.equal((await post('{ me { sub } }', token)).status, 200);
  assert.equal((await post('{ publicInfo }', await issuer.mint({}, { ttl: -60 }))).status, 401);
  assert.equal((await post('{ publicInfo }', await issuer.mint({ iss: 'https://evil.example' }))).status, 401);
  const accepted = { 'claimgate.issuer': issuer.issuer, 'claimgate.outcome': 'accepted', 'claimgate.reason': 'none' };
  assert.deepEqual(named('claimgate.verify_token').map(summary), [
    // The second request's token comes from the cache: counted in the metrics, no span.
    { attributes: { ...accepted, 'claimgate.cache_hit': false }, status: 0 },
    { attributes: { 'claimgate.issuer': issuer.issuer, 'claimgate.outcome': 'rejected', 'claimgate.reason': 'expired', 'claimgate.cache_hit': false }, status: 2 },
    // An unknown iss is a reason, never an issuer attribute.
    { attributes: { 'claimgate.outcome': 'rejected', 'claimgate.reason': 'untrusted_issuer', 'claimgate.cache_hit': false }, status: 2 },
  ]);
  const recorded = JSON.stringify(exporter.getFinishedSpans().map((span) => [span.attributes, span.events, span.status]));
  for (const secret of [token, ...token.split('.'), 'sub-secret-7', 'alice-secret', 'evil.example']) assert.ok(!recorded.includes(secret), secret);
});

test('a key fetch triggered by an unknown kid is a child of the verification span, with its result', async () => {
  exporter.reset();
  issuer.keyServer.fail(JWKS_PATH, { kind: 'status', status: 500 });
  try {
    const stranger = await createTestKey('RS256', 'rotated-in');
    assert.equal((await post('{ publicInfo }', await issuer.mint({}, { key: stranger }))).status, 401);
  } finally {
    issuer.keyServer.recover(JWKS_PATH);
  }
  const [verify] = named('claimgate.verify_token');
  const [fetchSpan] = named('claimgate.fetch_keys');
  assert.ok(verify !== undefined && fetchSpan !== undefined);
  assert.equal(fetchSpan.parentSpanContext?.spanId, verify.spanContext().spanId);
  assert.deepEqual(summary(fetchSpan), { attributes: { 'claimgate.issuer': issuer.issuer, 'claimgate.fetch_result': 'http_error' }, status: 2 });
  assert.equal(verify.attributes['claimgate.reason'], 'unknown_key');
});

test('a denial is an event on the operation span: coordinate and code, nothing else', async () => {
  exporter.reset();
  const token = await issuer.mint({ roles: ['reader'] });
  await testTracer.startActiveSpan('graphql.operation', async (span) => {
    const response = await post('{ adminReport publicInfo }', token);
    assert.equal(response.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    span.end();
  });
  await testTracer.startActiveSpan('graphql.operation', async (span) => {
    assert.equal((await post('{ publicInfo }', token)).status, 200);
    span.end();
  });
  const operations = named('graphql.operation');
  assert.deepEqual(
    operations.map((span) => span.events.map((event) => ({ name: event.name, attributes: event.attributes }))),
    [[{ name: 'claimgate.authorization_denied', attributes: { 'claimgate.coordinate': 'Query.adminReport', 'claimgate.code': 'FORBIDDEN' } }], []],
  );
});
