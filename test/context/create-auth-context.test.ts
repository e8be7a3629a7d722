// The context factory is where a request becomes a caller: the credentials it
// reads, the cookie rule against cross-site forgery, and how a verifier's
// answer maps to 401 / 403 / 503. In process, with a verifier that records
// what it is asked (the real one is tested in test/verification/ and over HTTP
// in test/server/).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { GraphQLError } from 'graphql';
import { createAuthContext } from '../../src/context/create-auth-context.ts';
import { KeysUnavailableError } from '../../src/keys/keys-unavailable-error.ts';
import type { Principal } from '../../src/principal/principal.ts';
import { TokenRejectedError } from '../../src/verification/token-rejected-error.ts';

const TOKEN = 'aaa.bbb.ccc';
const ALICE = Object.freeze({ subject: 'alice' }) as unknown as Principal;

type Answer = 'sync' | 'async' | Error | { async: Error };

function factory(answer: Answer = 'sync', options: { cookieName?: string } = { cookieName: 'hanko' }) {
  const seen: string[] = [];
  const verifier = {
    verify(token: string): Principal | Promise<Principal> {
      seen.push(token);
      if (answer === 'sync') return ALICE;
      if (answer === 'async') return Promise.resolve(ALICE);
      if (answer instanceof Error) throw answer;
      return Promise.reject(answer.async);
    },
  };
  return { context: createAuthContext({ verifier, cookieName: options.cookieName }), seen };
}

function request(headers: Record<string, string>, method = 'POST'): { request: Request } {
  return { request: new Request('http://127.0.0.1/graphql', { method, headers }) };
}

const JSON_POST = { 'content-type': 'application/json' };

/** The GraphQL error a call throws or rejects with. */
async function failure(run: () => unknown): Promise<{ message: string; code: unknown; status: unknown; headers: unknown }> {
  try {
    await run();
  } catch (error) {
    const { message, extensions } = error as GraphQLError;
    const http = extensions.http as { status?: number; headers?: Record<string, string> } | undefined;
    return { message, code: extensions.code, status: http?.status, headers: http?.headers };
  }
  assert.fail('no error');
}

describe('createAuthContext', () => {
  test('no credentials: anonymous, and the verifier is never asked', () => {
    const { context, seen } = factory();
    assert.deepEqual(context(request(JSON_POST)), { principal: null });
    assert.deepEqual(seen, []);
  });

  test('a Bearer token is verified once; a cache hit answers synchronously', () => {
    const { context, seen } = factory('sync');
    const result = context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` }));
    assert.ok(!(result instanceof Promise));
    assert.equal((result as { principal: Principal }).principal, ALICE);
    assert.deepEqual(seen, [TOKEN]);
  });

  test('a first verification answers with a promise of the principal', async () => {
    const { context } = factory('async');
    const result = context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` }));
    assert.ok(result instanceof Promise);
    assert.deepEqual(await result, { principal: ALICE });
  });

  test('a malformed Authorization header is 401 invalid_request, before any verification', async () => {
    const { context, seen } = factory();
    assert.deepEqual(await failure(() => context(request({ ...JSON_POST, authorization: 'Basic abc' }))), {
      message: 'Unauthenticated: not a Bearer credential.',
      code: 'UNAUTHENTICATED',
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_request", error_description="not a Bearer credential"' },
    });
    assert.deepEqual(seen, []);
  });

  test('a refused token is 401 invalid_token with the reason, sync or async, and by code from another copy of claimgate', async () => {
    const expected = {
      message: 'Unauthenticated: token expired.',
      code: 'UNAUTHENTICATED',
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token expired"' },
    };
    const rejected = new TokenRejectedError('expired');
    for (const answer of [rejected, { async: rejected }] as const) {
      const { context } = factory(answer);
      assert.deepEqual(await failure(() => context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` }))), expected);
    }
    // A TokenRejectedError from a second copy of the package: same code and description, another class.
    const foreign = Object.assign(new Error('token expired'), { code: TokenRejectedError.code, description: 'token expired' });
    const { context } = factory(foreign);
    assert.deepEqual(await failure(() => context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` }))), expected);
  });

  test('keys unavailable is 503 with Retry-After, sync or async', async () => {
    for (const answer of [new KeysUnavailableError('https://id.example'), { async: new KeysUnavailableError('https://id.example') }] as const) {
      const { context } = factory(answer);
      const result = await failure(() => context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` })));
      assert.equal(result.status, 503);
      assert.equal(result.code, 'AUTH_UNAVAILABLE');
      assert.match(String((result.headers as Record<string, string>)['Retry-After']), /^\d+$/);
    }
  });

  test('any other verifier failure refuses the token (fail closed), never anonymous', async () => {
    for (const answer of [new TypeError('bug'), { async: new RangeError('bug') }] as const) {
      const { context } = factory(answer);
      assert.deepEqual(await failure(() => context(request({ ...JSON_POST, authorization: `Bearer ${TOKEN}` }))), {
        message: 'Unauthenticated: token could not be verified.',
        code: 'UNAUTHENTICATED',
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token could not be verified"' },
      });
    }
  });

  describe('the session cookie', () => {
    const cookie = { cookie: `theme=dark; hanko=${TOKEN}` };

    test('is read when there is no Authorization header, on a POST with a JSON body', async () => {
      const { context, seen } = factory('async');
      assert.deepEqual(await context(request({ ...JSON_POST, ...cookie })), { principal: ALICE });
      assert.deepEqual(seen, [TOKEN]);
    });

    test('is ignored when no cookie name is configured', () => {
      const { context, seen } = factory('sync', {});
      assert.deepEqual(context(request({ ...JSON_POST, ...cookie })), { principal: null });
      assert.deepEqual(seen, []);
    });

    test('loses to the Authorization header', () => {
      const { context, seen } = factory('sync');
      context(request({ ...JSON_POST, ...cookie, authorization: 'Bearer header.token.here' }));
      assert.deepEqual(seen, ['header.token.here']);
    });

    test('is refused (403) on any request a browser could send cross-site without a preflight', async () => {
      const forgeable: [Record<string, string>, string][] = [
        [{}, 'GET'],
        [{ 'content-type': 'application/json' }, 'GET'],
        [{}, 'POST'],
        [{ 'content-type': 'text/plain' }, 'POST'],
        [{ 'content-type': 'Text/Plain; charset=utf-8' }, 'POST'],
        [{ 'content-type': ' multipart/form-data ; boundary=x' }, 'POST'],
        [{ 'content-type': 'application/x-www-form-urlencoded' }, 'POST'],
      ];
      for (const [headers, method] of forgeable) {
        const { context, seen } = factory('sync');
        assert.deepEqual(
          await failure(() => context(request({ ...headers, ...cookie }, method))),
          {
            message: 'Forbidden: the hanko cookie is only accepted on POST requests with a JSON body (or the X-Requested-With header), which a browser cannot send cross-site without a CORS preflight.',
            code: 'FORBIDDEN',
            status: 403,
            headers: undefined,
          },
          `${method} ${JSON.stringify(headers)}`,
        );
        assert.deepEqual(seen, [], 'refused before verification');
      }
    });

    test('is accepted on requests that need a preflight: a non-form content type, or X-Requested-With', () => {
      const allowed: [Record<string, string>, string][] = [
        [{ 'content-type': 'application/json' }, 'POST'],
        [{ 'content-type': 'application/graphql-response+json; charset=utf-8' }, 'POST'],
        [{ 'x-requested-with': 'XMLHttpRequest' }, 'GET'],
        [{ 'x-requested-with': 'x', 'content-type': 'text/plain' }, 'POST'],
      ];
      for (const [headers, method] of allowed) {
        const { context, seen } = factory('sync');
        assert.deepEqual(context(request({ ...headers, ...cookie }, method)), { principal: ALICE }, `${method} ${JSON.stringify(headers)}`);
        assert.deepEqual(seen, [TOKEN]);
      }
    });

    test('a forgeable request with a Bearer header is fine: the rule is about cookies only', () => {
      const { context, seen } = factory('sync');
      assert.deepEqual(context(request({ authorization: `Bearer ${TOKEN}` }, 'GET')), { principal: ALICE });
      assert.deepEqual(seen, [TOKEN]);
    });
  });

  describe("node's request: duplicate headers stay apart", () => {
    function withNodeRequest(headers: Record<string, string>, distinct: Record<string, string[]>) {
      return { ...request(headers), req: { headersDistinct: distinct } as unknown as IncomingMessage };
    }

    test('two Authorization headers are refused even though the Fetch request joins them', async () => {
      const { context, seen } = factory();
      const joined = { ...JSON_POST, authorization: `Bearer ${TOKEN}, Bearer other.token.x` };
      const result = await failure(() => context(withNodeRequest(joined, { authorization: [`Bearer ${TOKEN}`, 'Bearer other.token.x'] })));
      assert.equal(result.status, 401);
      assert.match(String((result.headers as Record<string, string>)['WWW-Authenticate']), /^Bearer error="invalid_request"/);
      assert.deepEqual(seen, []);
    });

    test("node's headers are the ones read (the Fetch request's are ignored when node's exist)", () => {
      const { context, seen } = factory('sync');
      context(withNodeRequest({ ...JSON_POST, authorization: 'Bearer fetch.side.token' }, { authorization: [`Bearer ${TOKEN}`] }));
      assert.deepEqual(seen, [TOKEN]);
      const anonymous = factory('sync');
      assert.deepEqual(anonymous.context(withNodeRequest({ ...JSON_POST, authorization: 'Bearer fetch.side.token' }, {})), { principal: null });
    });

    test("a cookie in node's headers is read too", () => {
      const { context, seen } = factory('sync');
      context(withNodeRequest(JSON_POST, { cookie: [`hanko=${TOKEN}`] }));
      assert.deepEqual(seen, [TOKEN]);
    });
  });
});
