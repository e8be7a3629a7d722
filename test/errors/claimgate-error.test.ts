// One base class with a stable static `code` on every thrown class
// (jose-style), and callers that branch on the code rather than instanceof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthSchemaError,
  CLAIMGATE_ERROR_CODES,
  ClaimgateError,
  ConfigError,
  createAuthContext,
  FetchFailedError,
  KeysUnavailableError,
  TokenRejectedError,
} from '../../src/index.ts';

const instances = [
  new ConfigError('AUTH_ISSUER', 'must be an https URL.'),
  new AuthSchemaError('field Query.x', 'hasRole', 'a role must not be empty.'),
  new TokenRejectedError('expired'),
  new KeysUnavailableError('https://id.example.com'),
  new FetchFailedError('answered HTTP 500'),
];

test('every library error extends ClaimgateError and carries its class\'s static code', () => {
  const seen = instances.map((error) => {
    const type = error.constructor as typeof ClaimgateError;
    assert.ok(error instanceof ClaimgateError, error.name);
    assert.ok(error instanceof Error, error.name);
    assert.equal(error.code, type.code, error.name);
    return [error.name, error.code];
  });
  assert.deepEqual(seen, [
    ['ConfigError', 'ERR_CLAIMGATE_CONFIG'],
    ['AuthSchemaError', 'ERR_CLAIMGATE_AUTH_SCHEMA'],
    ['TokenRejectedError', 'ERR_CLAIMGATE_TOKEN_REJECTED'],
    ['KeysUnavailableError', 'ERR_CLAIMGATE_KEYS_UNAVAILABLE'],
    ['FetchFailedError', 'ERR_CLAIMGATE_FETCH_FAILED'],
  ]);
  // The exported set is closed: exactly the subclasses' codes and the base's.
  assert.deepEqual(
    Object.values(CLAIMGATE_ERROR_CODES).sort(),
    [ClaimgateError.code, ...instances.map((error) => error.code)].sort(),
  );
  assert.equal(new ClaimgateError('x').code, 'ERR_CLAIMGATE_GENERIC');
});

test('the context factory classifies by code: errors from another copy of claimgate still map to 401 and 503', async () => {
  // Look-alikes that are not instances of this copy's classes (two copies of
  // the package in one node_modules): only the stable code identifies them.
  const foreignRejection = Object.assign(new Error('token expired'), { code: TokenRejectedError.code, description: 'token expired' });
  const foreignKeys = Object.assign(new Error('no keys'), { code: KeysUnavailableError.code });
  const request = new Request('http://api.test/graphql', { method: 'POST', headers: { authorization: 'Bearer a.b.c' } });
  const outcome = async (thrown: Error) => {
    const factory = createAuthContext({ verifier: { verify: () => Promise.reject(thrown) } });
    try {
      await factory({ request });
    } catch (error) {
      const { message, extensions } = error as { message: string; extensions: Record<string, unknown> };
      return { message, extensions };
    }
    assert.fail('the factory accepted a rejected token');
  };
  assert.deepEqual(await outcome(foreignRejection), {
    message: 'Unauthenticated: token expired.',
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token expired"' } },
    },
  });
  assert.deepEqual(await outcome(foreignKeys), {
    message: 'Authentication is temporarily unavailable; retry later.',
    extensions: { code: 'AUTH_UNAVAILABLE', http: { status: 503, headers: { 'Retry-After': '5' } } },
  });
  // Anything without a claimgate code is refused as an unverifiable token, never accepted.
  assert.deepEqual(await outcome(new Error('boom')), {
    message: 'Unauthenticated: token could not be verified.',
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token could not be verified"' } },
    },
  });
});
