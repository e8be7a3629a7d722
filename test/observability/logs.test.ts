import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/server/load-config.ts';
import { createPinoLogger } from '../../src/telemetry/pino-logger.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { createTestKey, startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';
import { graphql } from '../support/test-api.ts';

let output = '';
const destination = new Writable({
  write(chunk, _encoding, done) {
    output += String(chunk);
    done();
  },
});

let issuer: TestIssuer;
let server: RunningServer;
before(async () => {
  issuer = await startTestIssuer();
  server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', ...issuer.env() }), {
    logger: createPinoLogger({ level: 'info', destination }),
    shutdownTimeoutMs: 1_000,
  });
  const deadline = Date.now() + 5_000;
  while (!server.verifier.ready) {
    if (Date.now() > deadline) throw new Error('keys did not load');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
after(async () => {
  await server?.close();
  await issuer?.close();
});

const CLAIMS = { sub: 'sub-7f3a9c', email: 'carol-4411@example.com', roles: ['role-z9q'], tenant: 'tenant-81c2' };
const lines = () => output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

test('pino lines: one JSON object per event, level by name, the events and fields as before, no token and no claim value', async () => {
  const valid = await issuer.mint(CLAIMS);
  const expired = await issuer.mint(CLAIMS, { ttl: -60 });
  const forged = await issuer.mint(CLAIMS, { key: await createTestKey('RS256', issuer.keys[0]!.kid) });
  const stranger = await issuer.mint(CLAIMS, { key: await createTestKey('RS256', 'kid-unknown') });
  assert.equal((await graphql(server.graphqlUrl, { query: '{ me { sub } }', token: valid })).status, 200);
  for (const token of [expired, forged, stranger, `${valid}x`, 'not-a-jwt']) {
    assert.equal((await graphql(server.graphqlUrl, { query: '{ publicInfo }', token })).status, 401);
  }
  // A refused token answered from the refused-token cache is logged the same way.
  await graphql(server.graphqlUrl, { query: '{ publicInfo }', token: expired });
  await new Promise((resolve) => setTimeout(resolve, 50));

  const parsed = lines();
  assert.ok(output.endsWith('\n') && parsed.length === output.trim().split('\n').length);
  for (const line of parsed) {
    assert.ok(['info', 'warn', 'error'].includes(line.level as string), JSON.stringify(line));
    assert.equal(typeof line.time, 'string');
    assert.equal(typeof line.event, 'string');
  }
  const rejected = parsed.filter((line) => line.event === 'token.rejected').map(({ time: _time, ...rest }) => rest);
  assert.deepEqual(rejected.map((line) => [line.level, line.reason]), [
    ['warn', 'expired'],
    ['warn', 'bad_signature'],
    ['warn', 'unknown_key'],
    ['warn', 'bad_signature'],
    ['warn', 'malformed'],
    ['warn', 'expired'],
  ]);
  assert.deepEqual(Object.keys(rejected[0]!).sort(), ['detail', 'event', 'iss', 'kid', 'level', 'reason']);
  assert.ok(parsed.some((line) => line.event === 'jwks.loaded' && line.level === 'info'));

  for (const token of [valid, expired, forged, stranger]) {
    for (const secret of [token, ...token.split('.')]) assert.ok(!output.includes(secret), 'a token or one of its parts was logged');
  }
  for (const value of [CLAIMS.sub, CLAIMS.email, CLAIMS.roles[0]!, CLAIMS.tenant]) assert.ok(!output.includes(value), `the claim value ${value} was logged`);
});

test('credential-bearing fields are redacted wherever a caller puts them, and token-shaped text is masked', () => {
  let text = '';
  const logger = createPinoLogger({ destination: { write: (line: string) => void (text += line) } });
  logger.warn('custom.event', {
    authorization: 'Basic dXNlcjpwYXNz',
    cookie: 'session=s3cr3t',
    token: 'opaque-t0ken',
    request: { headers: { authorization: 'Basic enp6', cookie: 'a=b' } },
    upstream: { access_token: 'at-123', refresh_token: 'rt-456' },
    headers: { authorization: 'Basic eHg6eXk=', 'x-trace': 'kept' },
    message: 'provider said: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and Bearer q1w2e3',
    count: 3,
  });
  const { time: _time, ...line } = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(line, {
    level: 'warn',
    event: 'custom.event',
    authorization: '[redacted]',
    cookie: '[redacted]',
    token: '[redacted]',
    request: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    upstream: { access_token: '[redacted]', refresh_token: '[redacted]' },
    headers: { authorization: '[redacted]', 'x-trace': 'kept' },
    message: 'provider said: [redacted] and [redacted]',
    count: 3,
  });
});

test('LOG_LEVEL: lines below the level are not written', () => {
  let text = '';
  const logger = createPinoLogger({ level: 'warn', destination: { write: (line: string) => void (text += line) } });
  logger.info('quiet', {});
  logger.warn('loud', {});
  logger.error('louder', {});
  assert.deepEqual(text.trim().split('\n').map((line) => [JSON.parse(line).level, JSON.parse(line).event]), [['warn', 'loud'], ['error', 'louder']]);
});
