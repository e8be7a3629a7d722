// JwksCache and fetchJson, decision by decision: every branch, boundary,
// message and returned value of src/keys/jwks-cache.ts and
// src/keys/fetch-bounded.ts is pinned by an exact assertion, so that a mutant
// fails here within milliseconds (the mutation run of src/keys runs this file
// first). One real HTTP server on 127.0.0.1 answers as each test sets; the
// cache's clock is injected and its refresh timers are mocked, so the only
// real waits are three 50 ms fetch timeouts and a few 20 ms gaps between body
// chunks. Each cache is closed after its test (the harness registers it).
import { after, before, beforeEach, describe, mock, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SpanStatusCode, trace, type Span, type SpanOptions, type SpanStatus, type Tracer } from '@opentelemetry/api';
import { errors, jwtVerify, SignJWT, type JWK } from 'jose';
import { ClaimgateError } from '../../src/claimgate-error.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { fetchJson, FetchFailedError, isAllowedKeyUrl, isLoopbackHost } from '../../src/keys/fetch-bounded.ts';
import { JwksCache, type JwksCacheOptions } from '../../src/keys/jwks-cache.ts';
import { KeysUnavailableError } from '../../src/keys/keys-unavailable-error.ts';
import type { Logger } from '../../src/telemetry/log.ts';
import { noopMetrics, type KeyFetchResult } from '../../src/telemetry/metrics-recorder.ts';
import { freePort } from '../support/free-port.ts';
import { createMemoryLogger as memoryLogger, type LogLine } from '../support/memory-logger.ts';
import { createTestKey, type TestKey } from '../support/test-issuer.ts';

interface EndedSpan {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly status: SpanStatus | undefined;
}

/**
 * Spans ended in the current test. Recorded by a tracer provider of a few
 * lines rather than the OpenTelemetry SDK, whose import alone costs this file
 * a fifth of a second; src's tracer is a proxy that delegates to it.
 */
const endedSpans: EndedSpan[] = [];
trace.setGlobalTracerProvider({
  getTracer: () =>
    ({
      startActiveSpan(name: string, options: SpanOptions, fn: (span: Span) => unknown) {
        const attributes: Record<string, unknown> = { ...options.attributes };
        let status: SpanStatus | undefined;
        const span = {
          setAttribute(key: string, value: unknown) {
            attributes[key] = value;
            return span;
          },
          setStatus(next: SpanStatus) {
            status = next;
            return span;
          },
          end() {
            endedSpans.push({ name, attributes, status });
          },
        };
        return fn(span as unknown as Span);
      },
    }) as unknown as Tracer,
});

// ---------------------------------------------------------------- the server

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** What each path answers in the current test (cleared before each); other paths answer 404. */
const routes = new Map<string, Handler>();
/** Every request the server received in the current test. */
const hits: { readonly path: string; readonly accept: string | undefined }[] = [];
const server = createServer((request, response) => {
  const path = request.url ?? '/';
  hits.push({ path, accept: request.headers.accept });
  (routes.get(path) ?? send('{"error":"not_found"}', { status: 404 }))(request, response);
});
let origin = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  routes.clear();
  hits.length = 0;
  endedSpans.length = 0;
});

const paths = (): string[] => hits.map((hit) => hit.path);
const requests = (path: string): number => hits.filter((hit) => hit.path === path).length;

interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string | number>;
}

/** Answers `body` with a Content-Length. */
function send(body: string | Buffer, reply: Reply = {}): Handler {
  return (_request, response) => {
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...reply.headers });
    response.end(body);
  };
}

const json = (value: unknown, reply?: Reply): Handler => send(JSON.stringify(value), reply);

/** Answers without Content-Length (chunked), the parts 20 ms apart so that each arrives as its own read. */
function chunked(parts: readonly string[]): Handler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const next = (index: number): void => {
      const part = parts[index];
      if (part === undefined) {
        response.end();
        return;
      }
      response.write(part);
      setTimeout(() => next(index + 1), 20);
    };
    next(0);
  };
}

/** Never answers. */
const hang: Handler = () => {};

/** Sends the headers and the start of a body, then nothing. */
const stall: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"keys":');
};

// ------------------------------------------------------------------ the keys

const rsa = await createTestKey('RS256', 'rsa-1');
const ec = await createTestKey('ES256', 'ec-1');
const okp = await createTestKey('EdDSA', 'okp-1');
const ec2 = await createTestKey('ES256', 'ec-2');
const { kid: _ec2Kid, ...kidless } = ec2.publicJwk;

const jwks = (...keys: unknown[]) => ({ keys });
const sign = (key: TestKey, sub: string): Promise<string> => new SignJWT({ sub }).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
/** getKey's second argument, which jose's local key set only reads a header from. */
const NO_TOKEN = { payload: '', signature: '' } as never;

// --------------------------------------------------------------- the harness

const ISSUER = 'https://id.example/';
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

interface Fetch {
  readonly issuer: string;
  readonly result: KeyFetchResult;
  readonly seconds: number;
}

interface Harness {
  readonly cache: JwksCache;
  readonly logs: LogLine[];
  /** Every keyFetch the metrics recorder received. */
  readonly fetches: Fetch[];
  /** The cache's clock; tests move `now`. */
  readonly clock: { now: number };
}

type HarnessOptions = Partial<JwksCacheOptions> & {
  /** Called after each keyFetch is recorded. */
  readonly onKeyFetch?: () => void;
  /** Leaves the retry options at their defaults (else an hour, so that no real retry timer fires during a test). */
  readonly defaultRetry?: boolean;
};

/** A cache on `<origin>/jwks` with a memory logger, a recording MetricsRecorder and a settable clock, closed after the test. */
function harness(t: TestContext, options: HarnessOptions = {}): Harness {
  const { onKeyFetch, defaultRetry = false, ...rest } = options;
  const logs: LogLine[] = [];
  const fetches: Fetch[] = [];
  const clock = { now: T0 };
  const cache = new JwksCache({
    issuer: ISSUER,
    jwksUri: new URL(`${origin}/jwks`),
    logger: memoryLogger(logs),
    metrics: {
      ...noopMetrics,
      keyFetch(issuer, result, seconds) {
        fetches.push({ issuer, result, seconds });
        onKeyFetch?.();
      },
    },
    now: () => clock.now,
    ...(defaultRetry ? {} : { retryInitialMs: HOUR, retryMaxMs: HOUR }),
    ...rest,
  });
  t.after(() => cache.close());
  return { cache, logs, fetches, clock };
}

const results = (h: Harness): KeyFetchResult[] => h.fetches.map((fetch) => fetch.result);
const failures = (h: Harness): Record<string, unknown>[] => h.logs.filter((line) => line.event === 'jwks.fetch_failed').map((line) => line.fields);
const reasons = (h: Harness): unknown[] => failures(h).map((fields) => fields.reason);
const loaded = (h: Harness, jwksUri: string, kids: (string | null)[]): LogLine => ({
  level: 'info',
  event: 'jwks.loaded',
  fields: { issuer: h.cache.issuer, jwksUri, keys: kids.length, kids },
});

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: unknown): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return assert.fail('expected a rejection');
}

/** The message and result class of the FetchFailedError `promise` rejects with. */
async function fetchFailure(promise: unknown): Promise<{ message: string; result: string }> {
  const error = await rejection(promise);
  assert.ok(error instanceof FetchFailedError, `not a FetchFailedError: ${String(error)}`);
  return { message: error.message, result: error.result };
}

/** Lets pending I/O callbacks and promise jobs run (setImmediate is never mocked here). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** support/wait-for.ts's waitFor, on setImmediate: it sleeps with setTimeout, which this file's schedule suite mocks. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 2_000;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * With the mock timers on: asserts that the cache's next fetch starts exactly
 * `delayMs` after now (none at `delayMs - 1`), then waits for it to end.
 * `fetchCount` moves as soon as a fetch starts, before the server sees it.
 */
async function nextFetchAfter(h: Harness, delayMs: number, label: string): Promise<void> {
  const started = h.cache.fetchCount;
  const ended = h.fetches.length;
  mock.timers.tick(delayMs - 1);
  await settle();
  assert.equal(h.cache.fetchCount, started, `no fetch before ${delayMs} ms (${label})`);
  mock.timers.tick(1);
  await settle();
  assert.equal(h.cache.fetchCount, started + 1, `a fetch at ${delayMs} ms (${label})`);
  await until(() => h.fetches.length === ended + 1, `the fetch at ${delayMs} ms to end`);
}

// ===================================================================== tests

describe('error classes', () => {
  test('FetchFailedError: its message, result "invalid" by default, the stable code and name', () => {
    const error = new FetchFailedError('m');
    assert.deepEqual(
      [error.message, error.result, error.code, error.name, FetchFailedError.code],
      ['m', 'invalid', 'ERR_CLAIMGATE_FETCH_FAILED', 'FetchFailedError', 'ERR_CLAIMGATE_FETCH_FAILED'],
    );
    assert.ok(error instanceof ClaimgateError);
    assert.equal(new FetchFailedError('m', 'timeout').result, 'timeout');
  });

  test('KeysUnavailableError names the issuer in its message and carries it', () => {
    const error = new KeysUnavailableError('https://id.example');
    assert.deepEqual(
      [error.message, error.issuer, error.code, error.name, KeysUnavailableError.code],
      ['no keys are available for issuer https://id.example', 'https://id.example', 'ERR_CLAIMGATE_KEYS_UNAVAILABLE', 'KeysUnavailableError', 'ERR_CLAIMGATE_KEYS_UNAVAILABLE'],
    );
    assert.ok(error instanceof ClaimgateError);
  });
});

describe('fetchJson', () => {
  const LIMITS = { timeoutMs: 5_000, maxBodyBytes: 1_000 };
  const url = (path: string) => new URL(`${origin}${path}`);

  test('returns the parsed body and the response headers; asks for JSON or a JWK set', async () => {
    routes.set('/doc', json({ a: [1, 'x', null] }, { headers: { 'x-probe': 'yes' } }));
    const { body, headers } = await fetchJson(url('/doc'), LIMITS);
    assert.deepEqual(body, { a: [1, 'x', null] });
    assert.equal(headers.get('x-probe'), 'yes');
    assert.deepEqual(hits, [{ path: '/doc', accept: 'application/json, application/jwk-set+json' }]);
  });

  test('a redirect is not followed: HTTP 302 is an http_error and the target is never requested', async () => {
    routes.set('/moved', send('', { status: 302, headers: { location: `${origin}/target` } }));
    routes.set('/target', json(jwks(rsa.publicJwk)));
    assert.deepEqual(await fetchFailure(fetchJson(url('/moved'), LIMITS)), { message: 'answered HTTP 302', result: 'http_error' });
    assert.deepEqual(paths(), ['/moved']);
  });

  test('any status but 200 is an http_error naming the status, even with a valid JSON body', async () => {
    for (const status of [201, 299, 404, 500]) {
      routes.set('/doc', json({ keys: [] }, { status }));
      assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: `answered HTTP ${status}`, result: 'http_error' }, String(status));
    }
    routes.set('/doc', (_request, response) => response.writeHead(204).end());
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: 'answered HTTP 204', result: 'http_error' });
  });

  test('a declared Content-Length over the limit is too_large; exactly the limit is read', async () => {
    const limits = { timeoutMs: 5_000, maxBodyBytes: 10 };
    routes.set('/doc', send('{"a":"123"}'));
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), limits)), { message: 'body of 11 bytes exceeds 10', result: 'too_large' });
    routes.set('/doc', send('{"a":"12"}'));
    assert.deepEqual((await fetchJson(url('/doc'), limits)).body, { a: '12' });
  });

  test('a refused body releases the connection at once, without waiting for the timeout', { timeout: 2_000 }, async () => {
    const closed = new Promise<void>((resolve) =>
      routes.set('/doc', (_request, response) => {
        response.on('close', resolve);
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': 1_000 });
        response.write('{"keys":');
      }),
    );
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), { timeoutMs: 60_000, maxBodyBytes: 10 })), {
      message: 'body of 1000 bytes exceeds 10',
      result: 'too_large',
    });
    await closed;
  });

  test('a streamed body refused mid-read releases the connection at once too', { timeout: 2_000 }, async () => {
    const closed = new Promise<void>((resolve) =>
      routes.set('/doc', (_request, response) => {
        response.on('close', resolve);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"keys":[1,2]');
      }),
    );
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), { timeoutMs: 60_000, maxBodyBytes: 10 })), {
      message: 'body exceeds 10 bytes',
      result: 'too_large',
    });
    await closed;
  });

  test('a streamed body (no Content-Length) is counted across chunks: exactly the limit is read, one byte over is too_large', async () => {
    const limits = { timeoutMs: 5_000, maxBodyBytes: 10 };
    routes.set('/doc', chunked(['{"a":', '"12"}']));
    assert.deepEqual((await fetchJson(url('/doc'), limits)).body, { a: '12' });
    // 7 + 4 bytes: neither chunk alone is over the limit.
    routes.set('/doc', chunked(['{"a":"1', '23"}']));
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), limits)), { message: 'body exceeds 10 bytes', result: 'too_large' });
  });

  test('a body that is not JSON (HTML, empty) is invalid', async () => {
    routes.set('/doc', send('<!doctype html><p>sign in</p>', { headers: { 'content-type': 'text/html' } }));
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: 'body is not JSON', result: 'invalid' });
    routes.set('/doc', send(''));
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: 'body is not JSON', result: 'invalid' });
  });

  test('invalid UTF-8 is replaced (U+FFFD), not refused', async () => {
    routes.set('/doc', send(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))); // {"a":"<FF>"}
    assert.deepEqual((await fetchJson(url('/doc'), LIMITS)).body, { a: '\uFFFD' });
  });

  test('a server that never answers: "timed out after 50 ms", timeout', { timeout: 2_000 }, async () => {
    routes.set('/doc', hang);
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), { timeoutMs: 50, maxBodyBytes: 1_000 })), { message: 'timed out after 50 ms', result: 'timeout' });
  });

  test('headers sent, then the body stalls: "timed out while reading the body", timeout', { timeout: 2_000 }, async () => {
    routes.set('/doc', stall);
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), { timeoutMs: 50, maxBodyBytes: 1_000 })), {
      message: 'timed out while reading the body',
      result: 'timeout',
    });
  });

  test('connection refused is unreachable, described by the cause code', async () => {
    const port = await freePort();
    assert.deepEqual(await fetchFailure(fetchJson(new URL(`http://127.0.0.1:${port}/jwks`), LIMITS)), {
      message: 'request failed (ECONNREFUSED)',
      result: 'unreachable',
    });
  });

  test('a connection dropped before the answer is unreachable; dropped mid-body, "body could not be read"', async () => {
    routes.set('/doc', (request) => request.socket.destroy());
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: 'request failed (UND_ERR_SOCKET)', result: 'unreachable' });
    routes.set('/doc', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
      response.write('{"keys":', () => response.socket?.destroy());
    });
    assert.deepEqual(await fetchFailure(fetchJson(url('/doc'), LIMITS)), { message: 'body could not be read (UND_ERR_SOCKET)', result: 'unreachable' });
  });

  test('a failure without a cause code is described by the cause message, else by its own message', async () => {
    const noCode = new URL('ftp://127.0.0.1:1/jwks');
    const direct = (await rejection(fetch(noCode))) as { cause?: { code?: string; message?: string } };
    assert.equal(direct.cause?.code, undefined, 'precondition: the cause has no code');
    assert.ok(direct.cause?.message);
    assert.deepEqual(await fetchFailure(fetchJson(noCode, LIMITS)), { message: `request failed (${direct.cause.message})`, result: 'unreachable' });

    const noCause = new URL('http://user:secret@127.0.0.1:1/jwks');
    const thrown = (await rejection(fetch(noCause))) as Error;
    assert.equal(thrown.cause, undefined, 'precondition: no cause');
    assert.deepEqual(await fetchFailure(fetchJson(noCause, LIMITS)), { message: `request failed (${thrown.message})`, result: 'unreachable' });
  });
});

describe('key URLs (the rule is pinned by test/keys/key-urls.test.ts too; repeated here because this file runs first)', () => {
  test('loopback: localhost, 127.0.0.0/8 and ::1, bracketed or not', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '[0:0:0:0:0:0:0:1]']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['localhost.evil.example', 'xlocalhost', '128.0.0.1', '10.0.0.1', '::', '::2', '[::2]', '::ffff:127.0.0.1', '[::1', '::1]', '[::1x', 'x::1]', '[localhostx', '127.example', '']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  test('https anywhere; plain http only to loopback; no other scheme', () => {
    for (const href of ['https://id.example.com/jwks', 'http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks']) assert.equal(isAllowedKeyUrl(new URL(href)), true, href);
    for (const href of ['http://id.example.com/jwks', 'http://10.0.0.1/jwks', 'ftp://127.0.0.1/jwks', 'ws://localhost/jwks', 'file:///etc/jwks.json']) {
      assert.equal(isAllowedKeyUrl(new URL(href)), false, href);
    }
  });
});

describe('construction', () => {
  const TIMING_OPTIONS = ['cooldownMs', 'refreshMs', 'minRefreshMs', 'maxRefreshMs', 'maxStaleMs', 'timeoutMs', 'maxBodyBytes', 'retryInitialMs', 'retryMaxMs'] as const;

  test('each timing option must be a finite non-negative number; the message names the option; 0 is accepted', () => {
    for (const option of TIMING_OPTIONS) {
      for (const bad of [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        assert.throws(() => new JwksCache({ issuer: ISSUER, logger: memoryLogger([]), [option]: bad }), {
          name: 'TypeError',
          message: `${option} must be a non-negative number of ${option === 'maxBodyBytes' ? 'bytes' : 'milliseconds'}`,
        });
      }
      new JwksCache({ issuer: ISSUER, logger: memoryLogger([]), [option]: 0 }).close();
    }
  });

  test('a JWKS URL must be https, or http on loopback; without one, discovery is used', () => {
    assert.throws(() => new JwksCache({ issuer: ISSUER, jwksUri: new URL('http://id.example/jwks'), logger: memoryLogger([]) }), {
      name: 'TypeError',
      message: 'jwksUri must use https (http only for loopback): http://id.example/jwks',
    });
    for (const jwksUri of [new URL('https://id.example/jwks'), new URL('http://127.0.0.1:1/jwks'), undefined]) {
      new JwksCache({ issuer: ISSUER, jwksUri, logger: memoryLogger([]) }).close();
    }
  });

  test('without a clock, Date.now is used', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const cache = new JwksCache({ issuer: ISSUER, jwksUri: new URL(`${origin}/jwks`), logger: memoryLogger([]), retryInitialMs: HOUR, retryMaxMs: HOUR });
    t.after(() => cache.close());
    const before = Date.now();
    await cache.start();
    const loadedAt = cache.loadedAt!;
    assert.ok(loadedAt >= before && loadedAt <= Date.now(), `loadedAt ${loadedAt}`);
    assert.equal(cache.ready, true);
  });

  test('omitted options use DEFAULTS.jwks: cooldown 30 000 ms, maximum staleness 86 400 000 ms', async (t) => {
    assert.deepEqual([DEFAULTS.jwks.cooldownMs, DEFAULTS.jwks.maxStaleMs], [30_000, 86_400_000]);
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    await h.cache.start();
    h.clock.now = T0 + 29_999;
    assert.ok((await rejection(h.cache.getKey({ alg: 'RS256', kid: 'unknown' }, NO_TOKEN))) instanceof errors.JWKSNoMatchingKey);
    assert.equal(requests('/jwks'), 1, 'no refetch inside the default cooldown');
    h.clock.now = T0 + 30_000;
    assert.ok((await rejection(h.cache.getKey({ alg: 'RS256', kid: 'unknown' }, NO_TOKEN))) instanceof errors.JWKSNoMatchingKey);
    assert.equal(requests('/jwks'), 2, 'a refetch once the default cooldown is over');
    h.clock.now = T0 + 30_000 + 86_400_000;
    assert.equal(h.cache.ready, true);
    h.clock.now += 1;
    assert.equal(h.cache.ready, false);
  });

  test('omitted maxBodyBytes is 524 288 bytes: a declared 524 289 is refused', async (t) => {
    const h = harness(t);
    routes.set('/jwks', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 524_289 });
      response.write('{');
    });
    await h.cache.start();
    assert.deepEqual([results(h), reasons(h)], [['too_large'], ['body of 524289 bytes exceeds 524288']]);
  });
});

describe('state: ready, loadedAt, keyCount, fetchCount, issuer', () => {
  test('before the first load: not ready, no keys, loadedAt undefined, nothing fetched', (t) => {
    const h = harness(t);
    assert.deepEqual(
      [h.cache.ready, h.cache.keyCount, h.cache.loadedAt, h.cache.fetchCount, h.cache.generation, h.cache.issuer],
      [false, 0, undefined, 0, 0, ISSUER],
    );
    assert.deepEqual(h.cache.keyIdsFor({}), []);
    assert.deepEqual(hits, []);
  });

  test('after a load: ready, the usable keys counted, loadedAt the clock\'s time, one fetch, one "ok" metric', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec.publicJwk)));
    const h = harness(t);
    h.clock.now = T0 + 5;
    await h.cache.start();
    assert.deepEqual(
      [h.cache.ready, h.cache.keyCount, h.cache.loadedAt, h.cache.fetchCount, h.cache.generation, h.cache.issuer],
      [true, 2, T0 + 5, 1, 1, ISSUER],
    );
    assert.deepEqual(paths(), ['/jwks']);
    assert.equal(h.fetches.length, 1);
    const [fetch] = h.fetches;
    assert.deepEqual([fetch!.issuer, fetch!.result], [ISSUER, 'ok']);
    assert.ok(fetch!.seconds > 0 && fetch!.seconds < 1, `seconds ${fetch!.seconds}`);
  });

  test('ready until exactly maxStaleMs after the last success; a failed refresh does not extend it, an identical refetch does', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { maxStaleMs: 1_000 });
    await h.cache.start();
    h.clock.now = T0 + 1_000;
    assert.equal(h.cache.ready, true, 'at maxStaleMs');
    h.clock.now = T0 + 1_001;
    assert.equal(h.cache.ready, false, 'one millisecond later');

    routes.set('/jwks', send('{}', { status: 500 }));
    h.clock.now = T0 + 500;
    await h.cache.reload();
    assert.equal(h.cache.loadedAt, T0);
    h.clock.now = T0 + 1_001;
    assert.equal(h.cache.ready, false, 'a failure does not extend it');

    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    h.clock.now = T0 + 800;
    await h.cache.reload();
    assert.deepEqual([h.cache.loadedAt, h.cache.generation], [T0 + 800, 1]);
    h.clock.now = T0 + 1_800;
    assert.equal(h.cache.ready, true);
    h.clock.now = T0 + 1_801;
    assert.equal(h.cache.ready, false);
  });

  test('fetchCount counts JWKS requests, failed ones too, and not discovery documents', async (t) => {
    routes.set('/.well-known/openid-configuration', json({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    routes.set('/jwks', send('{}', { status: 500 }));
    const h = harness(t, { issuer: origin, jwksUri: undefined });
    await h.cache.start();
    assert.deepEqual([h.cache.fetchCount, paths()], [1, ['/.well-known/openid-configuration', '/jwks']]);
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    await h.cache.reload();
    assert.equal(h.cache.fetchCount, 2);
  });
});

describe('key set changes', () => {
  test('generation moves on and onChange is called only when the key set changes; it sees the new keys', async (t) => {
    const seen: [number, number][] = [];
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { onChange: () => void seen.push([h.cache.generation, h.cache.keyCount]) });
    await h.cache.start();
    assert.deepEqual([h.cache.generation, seen], [1, [[1, 1]]]);
    await h.cache.reload();
    assert.deepEqual([h.cache.generation, seen], [1, [[1, 1]]], 'an identical document is no change');
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec.publicJwk)));
    await h.cache.reload();
    assert.deepEqual([h.cache.generation, seen], [2, [[1, 1], [2, 2]]]);
    routes.set('/jwks', json(jwks(ec.publicJwk)));
    await h.cache.reload();
    assert.deepEqual([h.cache.generation, seen], [3, [[1, 1], [2, 2], [3, 1]]]);
    assert.deepEqual(results(h), ['ok', 'ok', 'ok', 'ok']);
  });

  test('"jwks.loaded" is logged once per change with issuer, URL, key count and kids (null for a key without kid)', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk, kidless)));
    const h = harness(t);
    await h.cache.start();
    await h.cache.reload();
    routes.set('/jwks', json(jwks(ec.publicJwk)));
    await h.cache.reload();
    assert.deepEqual(h.logs, [loaded(h, `${origin}/jwks`, ['rsa-1', null]), loaded(h, `${origin}/jwks`, ['ec-1'])]);
  });

  test('an onChange that throws is logged as "jwks.change_listener_failed" with the reason; the load still succeeds', async (t) => {
    const cases: [unknown, string][] = [
      [new Error('listener broke'), 'listener broke'],
      [{ message: 'shaped like an error' }, 'shaped like an error'],
      ['a string', 'a string'],
      [null, 'null'],
      [undefined, 'undefined'],
      [42, '42'],
    ];
    for (const [thrown, reason] of cases) {
      routes.set('/jwks', json(jwks(rsa.publicJwk)));
      const h = harness(t, {
        onChange: () => {
          throw thrown;
        },
      });
      await h.cache.start();
      assert.deepEqual(
        h.logs,
        [loaded(h, `${origin}/jwks`, ['rsa-1']), { level: 'error', event: 'jwks.change_listener_failed', fields: { issuer: ISSUER, reason } }],
        reason,
      );
      assert.deepEqual([h.cache.ready, h.cache.generation, results(h)], [true, 1, ['ok']], reason);
    }
  });
});

describe('keyIdsFor and hasKeyId', () => {
  const ids = {
    rsa: JSON.stringify(['RSA', null, rsa.publicJwk.n, rsa.publicJwk.e, null, null, 'rsa-1']),
    ec: JSON.stringify(['EC', 'P-256', null, null, ec.publicJwk.x, ec.publicJwk.y, 'ec-1']),
    okp: JSON.stringify(['OKP', 'Ed25519', null, null, okp.publicJwk.x, null, 'okp-1']),
    kidless: JSON.stringify(['EC', 'P-256', null, null, ec2.publicJwk.x, ec2.publicJwk.y, null]),
  };

  async function loadAll(t: TestContext): Promise<Harness> {
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec.publicJwk, okp.publicJwk, kidless)));
    const h = harness(t);
    await h.cache.start();
    return h;
  }

  test('a key\'s id is its type, curve, public material and kid', async (t) => {
    const h = await loadAll(t);
    assert.deepEqual(h.cache.keyIdsFor({}), [ids.rsa, ids.ec, ids.okp, ids.kidless]);
  });

  test('filtered by kid when the header names one', async (t) => {
    const h = await loadAll(t);
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'rsa-1' }), [ids.rsa]);
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'okp-1' }), [ids.okp]);
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'nope' }), []);
    assert.deepEqual(h.cache.keyIdsFor({ kid: null }), []);
    assert.deepEqual(h.cache.keyIdsFor({ kid: undefined }), [ids.rsa, ids.ec, ids.okp, ids.kidless]);
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'rsa-1', alg: 'ES256' }), [], 'kid and alg must both fit');
  });

  test('filtered by the key type its alg uses: RS*/PS* RSA, ES* and ES256K EC, EdDSA/Ed25519 OKP; unknown or non-string alg: any', async (t) => {
    const h = await loadAll(t);
    const all = [ids.rsa, ids.ec, ids.okp, ids.kidless];
    const expected: [unknown, string[]][] = [
      ['RS256', [ids.rsa]],
      ['PS384', [ids.rsa]],
      ['RS512', [ids.rsa]],
      ['ES256', [ids.ec, ids.kidless]],
      ['ES512', [ids.ec, ids.kidless]],
      ['ES256K', [ids.ec, ids.kidless]],
      ['EdDSA', [ids.okp]],
      ['Ed25519', [ids.okp]],
      ['XY1', all],
      ['HS256', all],
      ['RS', all],
      ['xRS256', all],
      ['xES256', all],
      ['xPS256', all],
      ['RS256x', all],
      ['ES256KK', all],
      ['Ed448', all],
      ['eddsa', all],
      [42, all],
      [null, all],
      [['ES256'], all],
    ];
    for (const [alg, want] of expected) assert.deepEqual(h.cache.keyIdsFor({ alg }), want, JSON.stringify(alg));
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'ec-1', alg: 'ES256' }), [ids.ec]);
  });

  test('the same public key under another alg or use member has the same id; other material under the same kid does not', async (t) => {
    routes.set('/jwks', json(jwks(ec.publicJwk)));
    const h = harness(t);
    await h.cache.start();
    const { alg: _alg, use: _use, ...bare } = ec.publicJwk;
    routes.set('/jwks', json(jwks({ ...bare, alg: 'ES384' })));
    await h.cache.reload();
    assert.equal(h.cache.generation, 2, 'the document changed');
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'ec-1' }), [ids.ec]);
    assert.equal(h.cache.hasKeyId(ids.ec), true);
    routes.set('/jwks', json(jwks({ ...ec2.publicJwk, kid: 'ec-1' })));
    await h.cache.reload();
    assert.equal(h.cache.hasKeyId(ids.ec), false);
    assert.notDeepEqual(h.cache.keyIdsFor({ kid: 'ec-1' }), [ids.ec]);
  });

  test('hasKeyId is true while the key is published and false once a refresh drops it', async (t) => {
    const h = await loadAll(t);
    for (const id of Object.values(ids)) assert.equal(h.cache.hasKeyId(id), true, id);
    assert.equal(h.cache.hasKeyId('["RSA"]'), false);
    routes.set('/jwks', json(jwks(ec.publicJwk, okp.publicJwk)));
    await h.cache.reload();
    assert.deepEqual(
      [h.cache.hasKeyId(ids.rsa), h.cache.hasKeyId(ids.ec), h.cache.hasKeyId(ids.okp), h.cache.hasKeyId(ids.kidless)],
      [false, true, true, false],
    );
    assert.deepEqual(h.cache.keyIdsFor({ kid: 'rsa-1' }), []);
  });
});

describe('reload', () => {
  test('concurrent calls (start included) share one fetch; a later call fetches again', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    const first = h.cache.start();
    assert.equal(h.cache.reload(), first);
    await Promise.all([first, h.cache.reload(), h.cache.reload()]);
    assert.deepEqual([requests('/jwks'), h.cache.fetchCount, h.fetches.length], [1, 1, 1]);
    const second = h.cache.reload();
    assert.notEqual(second, first);
    await second;
    assert.deepEqual([requests('/jwks'), h.cache.fetchCount, h.fetches.length], [2, 2, 2]);
  });

  test('never rejects: a failure resolves undefined and is logged', async (t) => {
    routes.set('/jwks', send('{}', { status: 500 }));
    const h = harness(t);
    assert.equal(await h.cache.reload(), undefined);
    assert.deepEqual(results(h), ['http_error']);
  });
});

describe('getKey', () => {
  const verify = async (cache: JwksCache, token: string) => (await jwtVerify(token, cache.getKey)).payload.sub;

  test('a known kid gives its key without a fetch', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec.publicJwk)));
    const h = harness(t, { cooldownMs: 0 });
    await h.cache.start();
    assert.equal(await verify(h.cache, await sign(ec, 'alice')), 'alice');
    assert.equal(await verify(h.cache, await sign(rsa, 'bob')), 'bob');
    assert.equal(requests('/jwks'), 1);
  });

  test('before any load, getKey loads the keys itself', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    assert.equal(await verify(h.cache, await sign(rsa, 'carol')), 'carol');
    assert.equal(requests('/jwks'), 1);
  });

  test('not ready and the fetch fails: KeysUnavailableError naming the issuer; within the cooldown no new fetch', async (t) => {
    routes.set('/jwks', send('{}', { status: 503 }));
    const h = harness(t, { cooldownMs: 1_000 });
    const error = await rejection(h.cache.getKey({ alg: 'RS256', kid: 'rsa-1' }, NO_TOKEN));
    assert.ok(error instanceof KeysUnavailableError);
    assert.deepEqual([error.issuer, error.message], [ISSUER, `no keys are available for issuer ${ISSUER}`]);
    assert.equal(requests('/jwks'), 1);
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    h.clock.now = T0 + 999;
    assert.ok((await rejection(h.cache.getKey({ alg: 'RS256', kid: 'rsa-1' }, NO_TOKEN))) instanceof KeysUnavailableError);
    assert.equal(requests('/jwks'), 1, 'a failed fetch starts the cooldown too');
    h.clock.now = T0 + 1_000;
    assert.equal(await verify(h.cache, await sign(rsa, 'dave')), 'dave');
    assert.equal(requests('/jwks'), 2);
  });

  test('stale keys are not used: past maxStaleMs getKey refetches, and throws KeysUnavailableError when that fails', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { maxStaleMs: 1_000, cooldownMs: 0 });
    await h.cache.start();
    routes.set('/jwks', send('{}', { status: 500 }));
    h.clock.now = T0 + 1_001;
    assert.ok((await rejection(h.cache.getKey({ alg: 'RS256', kid: 'rsa-1' }, NO_TOKEN))) instanceof KeysUnavailableError);
    assert.equal(requests('/jwks'), 2);
  });

  test('an error other than "no matching key" is rethrown without a refetch', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { cooldownMs: 0 });
    await h.cache.start();
    const error = await rejection(h.cache.getKey({ alg: 'XY1', kid: 'rsa-1' }, NO_TOKEN));
    assert.ok(error instanceof errors.JOSENotSupported);
    assert.equal(requests('/jwks'), 1);
  });

  test('an unknown kid causes one refetch; when the key set did not change, jose\'s JWKSNoMatchingKey is rethrown', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { cooldownMs: 0 });
    await h.cache.start();
    const error = await rejection(h.cache.getKey({ alg: 'RS256', kid: 'unknown' }, NO_TOKEN));
    assert.ok(error instanceof errors.JWKSNoMatchingKey);
    assert.equal((error as errors.JWKSNoMatchingKey).code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.deepEqual([requests('/jwks'), h.cache.generation], [2, 1]);
  });

  test('an unknown kid that the refetch publishes is verified', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { cooldownMs: 0 });
    await h.cache.start();
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec2.publicJwk)));
    assert.equal(await verify(h.cache, await sign(ec2, 'erin')), 'erin');
    assert.deepEqual([requests('/jwks'), h.cache.generation], [2, 2]);
  });

  test('an unknown kid while the keys changed but still lack it: "no matching key" from the new set', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { cooldownMs: 0 });
    await h.cache.start();
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec.publicJwk)));
    assert.ok((await rejection(h.cache.getKey({ alg: 'ES256', kid: 'ec-2' }, NO_TOKEN))) instanceof errors.JWKSNoMatchingKey);
    assert.deepEqual([requests('/jwks'), h.cache.generation], [2, 2]);
  });

  test('cooldown: no unknown-kid refetch while now - lastAttempt < cooldownMs; exactly at cooldownMs one', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, { cooldownMs: 1_000 });
    await h.cache.start();
    const unknownKid = async (now: number) => {
      h.clock.now = now;
      assert.ok((await rejection(h.cache.getKey({ alg: 'RS256', kid: 'unknown' }, NO_TOKEN))) instanceof errors.JWKSNoMatchingKey);
      return requests('/jwks');
    };
    assert.equal(await unknownKid(T0), 1);
    assert.equal(await unknownKid(T0 + 999), 1);
    assert.equal(await unknownKid(T0 + 1_000), 2);
    assert.equal(await unknownKid(T0 + 1_999), 2, 'the refetch started a new window');
    routes.set('/jwks', send('{}', { status: 500 }));
    assert.equal(await unknownKid(T0 + 2_000), 3);
    assert.equal(await unknownKid(T0 + 2_999), 3, 'a failed refetch starts a window too');
    assert.equal(await unknownKid(T0 + 3_000), 4);
  });

  test('getKey joins a fetch in flight instead of being turned away by the cooldown (ready or not)', async (t) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held = (document: unknown): Handler => (request, response) => void gate.then(() => json(document)(request, response));
    const token = await sign(ec2, 'frank');

    routes.set('/jwks', held(jwks(rsa.publicJwk, ec2.publicJwk)));
    const cold = harness(t, { cooldownMs: 60_000 });
    const starting = cold.cache.start();
    const coldVerified = verify(cold.cache, token);
    await until(() => requests('/jwks') === 1, 'the first fetch to reach the server');
    release();
    assert.equal(await coldVerified, 'frank');
    await starting;
    assert.equal(requests('/jwks'), 1);

    let releaseAgain!: () => void;
    const gateAgain = new Promise<void>((resolve) => (releaseAgain = resolve));
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const warm = harness(t, { cooldownMs: 60_000 });
    await warm.cache.start();
    routes.set('/jwks', (request, response) => void gateAgain.then(() => json(jwks(rsa.publicJwk, ec2.publicJwk))(request, response)));
    const refreshing = warm.cache.reload();
    const warmVerified = verify(warm.cache, token);
    await until(() => requests('/jwks') === 3, 'the refresh to reach the server');
    releaseAgain();
    assert.equal(await warmVerified, 'frank');
    await refreshing;
    assert.equal(requests('/jwks'), 3);
  });

  test('keys that went stale by the time the refetch ended are not used', async (t) => {
    let ageOnFetch = false;
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t, {
      maxStaleMs: 10,
      cooldownMs: 0,
      onKeyFetch: () => {
        if (ageOnFetch) h.clock.now += 11;
      },
    });
    await h.cache.start();
    routes.set('/jwks', json(jwks(rsa.publicJwk, ec2.publicJwk)));
    ageOnFetch = true;
    assert.ok((await rejection(h.cache.getKey({ alg: 'ES256', kid: 'ec-2' }, NO_TOKEN))) instanceof errors.JWKSNoMatchingKey);
    assert.deepEqual([h.cache.generation, h.cache.ready], [2, false]);
  });
});

describe('failures', () => {
  test('"jwks.fetch_failed" carries issuer, reason, keptKeys and attempt; a success resets the attempt count', async (t) => {
    routes.set('/jwks', send('{}', { status: 500 }));
    const h = harness(t);
    await h.cache.start();
    await h.cache.reload();
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    await h.cache.reload();
    routes.set('/jwks', send('{}', { status: 404 }));
    await h.cache.reload();
    await h.cache.reload();
    const failed = (reason: string, keptKeys: boolean, attempt: number): LogLine => ({
      level: 'warn',
      event: 'jwks.fetch_failed',
      fields: { issuer: ISSUER, reason, keptKeys, attempt },
    });
    assert.deepEqual(h.logs, [
      failed('answered HTTP 500', false, 1),
      failed('answered HTTP 500', false, 2),
      loaded(h, `${origin}/jwks`, ['rsa-1']),
      failed('answered HTTP 404', true, 1),
      failed('answered HTTP 404', true, 2),
    ]);
    assert.deepEqual(results(h), ['http_error', 'http_error', 'ok', 'http_error', 'http_error']);
  });

  test('a failed refresh keeps the last good keys', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    await h.cache.start();
    const [id] = h.cache.keyIdsFor({});
    routes.set('/jwks', send('{"keys":[{"kty":"RSA",'));
    await h.cache.reload();
    assert.deepEqual([h.cache.ready, h.cache.keyCount, h.cache.generation, h.cache.loadedAt, h.cache.hasKeyId(id!)], [true, 1, 1, T0, true]);
    assert.equal((await jwtVerify(await sign(rsa, 'gina'), h.cache.getKey)).payload.sub, 'gina');
  });

  test('each failure class is its metrics label and its reason is logged', async (t) => {
    const h = harness(t, { maxBodyBytes: 4_000 });
    const steps: [Handler, string | undefined][] = [
      [json(jwks(rsa.publicJwk)), undefined],
      [send('{}', { status: 503 }), 'answered HTTP 503'],
      [json({ keys: [], pad: 'x'.repeat(5_000) }), 'body of 5020 bytes exceeds 4000'],
      [chunked([`{"keys":[],"pad":"${'x'.repeat(3_990)}`, '"}']), 'body exceeds 4000 bytes'],
      [send('not json'), 'body is not JSON'],
      [json({ keys: 'none' }), 'JWKS has no "keys" array'],
      [(request) => request.socket.destroy(), 'request failed (UND_ERR_SOCKET)'],
    ];
    for (const [handler] of steps) {
      routes.set('/jwks', handler);
      await h.cache.reload();
    }
    assert.deepEqual(results(h), ['ok', 'http_error', 'too_large', 'too_large', 'invalid', 'invalid', 'unreachable']);
    assert.deepEqual(reasons(h), steps.slice(1).map(([, reason]) => reason));
    for (const fetch of h.fetches) {
      assert.equal(fetch.issuer, ISSUER);
      assert.ok(fetch.seconds > 0 && fetch.seconds < 1, `seconds ${fetch.seconds}`);
    }
  });

  test('a fetch that times out is the "timeout" class', { timeout: 2_000 }, async (t) => {
    routes.set('/jwks', hang);
    const h = harness(t, { timeoutMs: 50 });
    await h.cache.start();
    assert.deepEqual([results(h), reasons(h)], [['timeout'], ['timed out after 50 ms']]);
  });

  test('a TypeError is logged with its message (an issuer that is no URL), class invalid, nothing requested', async (t) => {
    const h = harness(t, { issuer: 'not a url', jwksUri: undefined });
    await h.cache.start();
    assert.deepEqual(failures(h), [{ issuer: 'not a url', reason: 'Invalid URL', keptKeys: false, attempt: 1 }]);
    assert.deepEqual([results(h), hits, h.cache.fetchCount], [['invalid'], [], 0]);
  });

  test('any other error is logged as "unexpected error", class invalid (a logger that throws)', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const logs: LogLine[] = [];
    const memory = memoryLogger(logs);
    const logger: Logger = {
      ...memory,
      info(event, fields) {
        if (event === 'jwks.loaded') throw new RangeError('log sink full');
        memory.info(event, fields);
      },
    };
    const h = harness(t, { logger });
    await h.cache.start();
    assert.deepEqual(logs, [{ level: 'warn', event: 'jwks.fetch_failed', fields: { issuer: ISSUER, reason: 'unexpected error', keptKeys: false, attempt: 1 } }]);
    assert.deepEqual(results(h), ['invalid']);
  });

  test('each fetch is a "claimgate.fetch_keys" span with the issuer and the result; a failure sets an error status', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    await h.cache.start();
    routes.set('/jwks', send('{}', { status: 500 }));
    await h.cache.reload();
    assert.deepEqual(endedSpans, [
      { name: 'claimgate.fetch_keys', attributes: { 'claimgate.issuer': ISSUER, 'claimgate.fetch_result': 'ok' }, status: undefined },
      {
        name: 'claimgate.fetch_keys',
        attributes: { 'claimgate.issuer': ISSUER, 'claimgate.fetch_result': 'http_error' },
        status: { code: SpanStatusCode.ERROR, message: 'http_error' },
      },
    ]);
  });
});

describe('signing keys filter', () => {
  test('a document without a "keys" array is invalid: {}, null, [], keys an object or a string', async (t) => {
    const h = harness(t);
    for (const body of [{}, null, [], { keys: {} }, { keys: 'k' }, 42]) {
      routes.set('/jwks', json(body));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), Array(6).fill('JWKS has no "keys" array'));
    assert.deepEqual(results(h), Array(6).fill('invalid'));
  });

  test('only public asymmetric signing keys are kept: use "sig" or absent; RSA, EC and OKP', async (t) => {
    const { use: _use, ...noUse } = ec.publicJwk;
    routes.set(
      '/jwks',
      json(
        jwks(
          null,
          'RSA',
          42,
          [],
          {},
          { kty: 'oct', kid: 'oct-1', k: 'c2VjcmV0' },
          { kty: 'oct', kid: 'oct-2' },
          { kty: 'AKP', kid: 'akp-1', alg: 'ML-DSA-44', pub: 'AAAA' },
          { ...ec2.publicJwk, kid: 'enc-1', use: 'enc' },
          { ...ec2.publicJwk, kid: 'sig-upper', use: 'SIG' },
          rsa.publicJwk,
          noUse,
          okp.publicJwk,
        ),
      ),
    );
    const h = harness(t);
    await h.cache.start();
    assert.deepEqual(h.logs, [loaded(h, `${origin}/jwks`, ['rsa-1', 'ec-1', 'okp-1'])]);
    assert.equal(h.cache.keyCount, 3);
  });

  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
    test(`a key carrying the private member "${member}" is dropped`, async (t) => {
      routes.set('/jwks', json(jwks(rsa.publicJwk, { ...ec.publicJwk, [member]: 'AAAA' })));
      const h = harness(t);
      await h.cache.start();
      assert.deepEqual(h.logs, [loaded(h, `${origin}/jwks`, ['rsa-1'])]);
    });
  }

  test('no usable key left is invalid, and the good keys held are kept', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = harness(t);
    await h.cache.start();
    for (const body of [jwks(), jwks({ kty: 'oct', k: 'c2VjcmV0' }), jwks({ ...ec.publicJwk, d: 'AAAA' })]) {
      routes.set('/jwks', json(body));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), Array(3).fill('JWKS contains no usable signing key'));
    assert.deepEqual(results(h), ['ok', 'invalid', 'invalid', 'invalid']);
    assert.deepEqual([h.cache.ready, h.cache.keyCount, h.cache.generation, failures(h).map((fields) => fields.keptKeys)], [true, 1, 1, [true, true, true]]);
  });
});

describe('discovery', () => {
  const DISCOVERY = '/.well-known/openid-configuration';
  const discover = (t: TestContext, issuer: string, options: HarnessOptions = {}) => harness(t, { issuer, jwksUri: undefined, ...options });

  test('the JWKS URL is read from <issuer>/.well-known/openid-configuration, then remembered', async (t) => {
    routes.set(DISCOVERY, json({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = discover(t, origin);
    await h.cache.start();
    assert.deepEqual([paths(), h.cache.fetchCount, h.cache.ready], [[DISCOVERY, '/jwks'], 1, true]);
    assert.deepEqual(h.logs, [loaded(h, `${origin}/jwks`, ['rsa-1'])]);
    assert.deepEqual(results(h), ['ok']);
    await h.cache.reload();
    assert.deepEqual([paths(), h.cache.fetchCount], [[DISCOVERY, '/jwks', '/jwks'], 2]);
  });

  test('a trailing slash on the issuer is not doubled; the document must name the issuer exactly as configured', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    for (const [issuer, path] of [
      [`${origin}/`, DISCOVERY],
      [`${origin}/tenant`, `/tenant${DISCOVERY}`],
      [`${origin}/tenant/`, `/tenant${DISCOVERY}`],
    ] as const) {
      hits.length = 0;
      routes.set(path, json({ issuer, jwks_uri: `${origin}/jwks` }));
      const h = discover(t, issuer);
      await h.cache.start();
      assert.deepEqual([paths(), h.cache.ready], [[path, '/jwks'], true], issuer);
    }
    routes.set(DISCOVERY, json({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    const h = discover(t, `${origin}/`);
    await h.cache.start();
    assert.deepEqual(reasons(h), [`discovery document names issuer "${origin}", expected "${origin}/"`]);
  });

  test('a document that is not an object: "discovery document is not an object"', async (t) => {
    const h = discover(t, origin);
    for (const body of [null, 42, 'text', true]) {
      routes.set(DISCOVERY, json(body));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), Array(4).fill('discovery document is not an object'));
    assert.deepEqual([results(h), requests('/jwks'), h.cache.fetchCount], [Array(4).fill('invalid'), 0, 0]);
  });

  test('a document naming another issuer, or none, is refused and its jwks_uri never requested', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const h = discover(t, origin);
    for (const body of [{ issuer: 'https://evil.example', jwks_uri: `${origin}/jwks` }, { jwks_uri: `${origin}/jwks` }, []]) {
      routes.set(DISCOVERY, json(body));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), [
      `discovery document names issuer "https://evil.example", expected "${origin}"`,
      `discovery document names issuer undefined, expected "${origin}"`,
      `discovery document names issuer undefined, expected "${origin}"`,
    ]);
    assert.deepEqual([results(h), requests('/jwks'), h.cache.ready], [['invalid', 'invalid', 'invalid'], 0, false]);
  });

  test('jwks_uri missing, not a string or not an absolute URL: "discovery document has no valid jwks_uri"', async (t) => {
    const h = discover(t, origin);
    const bad = [{ issuer: origin }, { issuer: origin, jwks_uri: 42 }, { issuer: origin, jwks_uri: 'not a url' }, { issuer: origin, jwks_uri: '/jwks' }, { issuer: origin, jwks_uri: '' }];
    // A list holding a URL would read as that URL if it were turned into a string.
    bad.push({ issuer: origin, jwks_uri: [`${origin}/jwks`] } as never);
    for (const body of bad) {
      routes.set(DISCOVERY, json(body));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), Array(bad.length).fill('discovery document has no valid jwks_uri'));
    assert.deepEqual(results(h), Array(bad.length).fill('invalid'));
  });

  test('a jwks_uri over plain http off loopback (or another scheme) is refused: "jwks_uri must use https: <href>"', async (t) => {
    const h = discover(t, origin);
    for (const jwksUri of ['http://keys.example.com/jwks', 'ftp://127.0.0.1/jwks']) {
      routes.set(DISCOVERY, json({ issuer: origin, jwks_uri: jwksUri }));
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), ['jwks_uri must use https: http://keys.example.com/jwks', 'jwks_uri must use https: ftp://127.0.0.1/jwks']);
    assert.deepEqual([results(h), paths(), h.cache.fetchCount], [['invalid', 'invalid'], [DISCOVERY, DISCOVERY], 0]);
  });

  test('a failed discovery fetch is wrapped "discovery <url>: <message>" and keeps its class; the JWKS URL is not remembered', async (t) => {
    const h = discover(t, origin, { maxBodyBytes: 250 });
    const steps: [Handler, string][] = [
      [send('{}', { status: 500 }), 'answered HTTP 500'],
      [json({ pad: 'x'.repeat(300) }), 'body of 310 bytes exceeds 250'],
      [send('<html>'), 'body is not JSON'],
    ];
    for (const [handler] of steps) {
      routes.set(DISCOVERY, handler);
      await h.cache.reload();
    }
    assert.deepEqual(reasons(h), steps.map(([, message]) => `discovery ${origin}${DISCOVERY}: ${message}`));
    assert.deepEqual(results(h), ['http_error', 'too_large', 'invalid']);
    assert.equal(h.cache.fetchCount, 0);
    routes.set(DISCOVERY, json({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    routes.set('/jwks', json(jwks(ec.publicJwk)));
    await h.cache.reload();
    assert.deepEqual([paths(), h.cache.ready], [[DISCOVERY, DISCOVERY, DISCOVERY, DISCOVERY, '/jwks'], true]);
  });

  test('an issuer over plain http off loopback: "discovery URL must use https: <url>", nothing requested', async (t) => {
    const h = discover(t, 'http://id.example.com');
    await h.cache.start();
    assert.deepEqual(failures(h), [
      { issuer: 'http://id.example.com', reason: 'discovery URL must use https: http://id.example.com/.well-known/openid-configuration', keptKeys: false, attempt: 1 },
    ]);
    assert.deepEqual([results(h), hits, h.cache.fetchCount], [['invalid'], [], 0]);
  });
});

test('the refresh timer does not keep the process alive (unref)', async (t) => {
  routes.set('/jwks', json(jwks(rsa.publicJwk)));
  const h = harness(t);
  const setTimeoutSpy = t.mock.method(globalThis, 'setTimeout');
  await h.cache.start();
  const refresh = setTimeoutSpy.mock.calls.find((call) => String(call.arguments[0]).includes('reload'));
  assert.ok(refresh, 'the cache set a timer');
  assert.equal(refresh.arguments[1], DEFAULTS.jwks.refreshMs);
  assert.equal((refresh.result as NodeJS.Timeout).hasRef(), false);
});

describe('refresh schedule (mock timers)', () => {
  // One MockTimers for the whole suite, not one per test (t.mock.timers):
  // undici keeps the timer objects it created while a test's mock was on, and
  // clearing one of them later under another test's MockTimers removes
  // whatever timer sits at the same queue position there (the cache's).
  before(() => mock.timers.enable({ apis: ['setTimeout'] }));
  after(() => mock.timers.reset());

  test('retry delays: retryInitialMs × 2^(n-1) capped at retryMaxMs; a success resets them; without max-age the refresh is refreshMs', async (t) => {
    routes.set('/jwks', send('{}', { status: 500 }));
    const h = harness(t, { retryInitialMs: 40, retryMaxMs: 100, refreshMs: 5_000 });
    await h.cache.start();
    await nextFetchAfter(h, 40, 'after failure 1');
    await nextFetchAfter(h, 80, 'after failure 2');
    await nextFetchAfter(h, 100, 'after failure 3: 160 capped');
    await nextFetchAfter(h, 100, 'after failure 4');
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    await nextFetchAfter(h, 100, 'after failure 5');
    routes.set('/jwks', send('{}', { status: 500 }));
    await nextFetchAfter(h, 5_000, 'after a success: refreshMs');
    await nextFetchAfter(h, 40, 'after a success and a failure: the first delay again');
    assert.deepEqual(failures(h).map((fields) => fields.attempt), [1, 2, 3, 4, 5, 1, 2]);
  });

  test('Cache-Control max-age (case-insensitive, spaces, quotes) sets the refresh, clamped to [minRefreshMs, maxRefreshMs]; other directives do not', async (t) => {
    const h = harness(t, { refreshMs: 50_000, minRefreshMs: 2_000, maxRefreshMs: 200_000 });
    const steps: [string | undefined, number][] = [
      ['max-age=120', 120_000],
      ['public, max-age="121"', 121_000],
      ['Max-Age = 7', 7_000],
      ['private,max-age=3', 3_000],
      ['no-store', 50_000],
      [undefined, 50_000],
      ['x-max-age=5', 50_000],
      ['s-maxage=5', 50_000],
      ['max-age=abc', 50_000],
      ['max-age=', 50_000],
      ['public,x-max-age=1, max-age=9', 9_000],
      ['max-age=4, max-age=8', 4_000],
      ['max-age=0', 2_000],
      ['max-age=1', 2_000],
      ['max-age=2', 2_000],
      ['max-age=200', 200_000],
      ['max-age=201', 200_000],
    ];
    const serve = (cacheControl: string | undefined) =>
      routes.set('/jwks', json(jwks(rsa.publicJwk), cacheControl === undefined ? {} : { headers: { 'cache-control': cacheControl } }));
    serve(steps[0]![0]);
    await h.cache.start();
    for (const [index, [cacheControl, delay]] of steps.entries()) {
      serve(steps[index + 1]?.[0]);
      await nextFetchAfter(h, delay, `Cache-Control: ${cacheControl}`);
    }
    assert.deepEqual(results(h), Array(steps.length + 1).fill('ok'));
  });

  test('omitted options use DEFAULTS.jwks: retries 1 000 ms doubling to 30 000 ms, refresh 600 000 ms, max-age clamped to 60 000 .. 86 400 000 ms', async (t) => {
    routes.set('/jwks', send('{}', { status: 500 }));
    const h = harness(t, { defaultRetry: true });
    await h.cache.start();
    for (const delay of [1_000, 2_000, 4_000, 8_000, 16_000]) await nextFetchAfter(h, delay, 'retry');
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    await nextFetchAfter(h, 30_000, 'retry: 32 000 capped');
    routes.set('/jwks', json(jwks(rsa.publicJwk), { headers: { 'cache-control': 'max-age=1' } }));
    await nextFetchAfter(h, 600_000, 'no max-age');
    routes.set('/jwks', json(jwks(rsa.publicJwk), { headers: { 'cache-control': 'max-age=100000' } }));
    await nextFetchAfter(h, 60_000, 'max-age=1 raised');
    await nextFetchAfter(h, 86_400_000, 'max-age=100000 lowered');
  });

  test('close() stops the schedule: a pending refresh or retry never fires, and a fetch ending after close() schedules nothing', async (t) => {
    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const refreshing = harness(t, { refreshMs: 1_000 });
    await refreshing.cache.start();
    refreshing.cache.close();

    routes.set('/jwks', send('{}', { status: 500 }));
    const retrying = harness(t, { retryInitialMs: 1_000 });
    await retrying.cache.start();
    retrying.cache.close();

    routes.set('/jwks', json(jwks(rsa.publicJwk)));
    const closedEarly = harness(t, { refreshMs: 1_000 });
    const loading = closedEarly.cache.start();
    closedEarly.cache.close();
    await loading;
    assert.equal(closedEarly.cache.ready, true, 'the fetch in flight still ends');

    mock.timers.tick(100_000);
    await settle();
    assert.deepEqual([refreshing.cache.fetchCount, retrying.cache.fetchCount, closedEarly.cache.fetchCount, requests('/jwks')], [1, 1, 1, 3]);
  });
});
