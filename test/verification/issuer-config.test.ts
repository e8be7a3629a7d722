// One issuer's configuration decides which tokens can ever verify: its
// algorithm allow-list, audiences, key URL and claim paths. Every refusal
// names the field to fix; nothing unsafe is defaulted in.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/config-error.ts';
import { createIssuerConfig, type RawIssuer } from '../../src/verification/issuer-config.ts';

const ISSUER = 'https://id.example.com';
const minimal: RawIssuer = { issuer: ISSUER, audience: ['api'] };

function refused(fields: RawIssuer): string {
  try {
    createIssuerConfig(fields);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.message.startsWith(`${error.variable}: `), true);
    return error.message;
  }
  assert.fail(`accepted: ${JSON.stringify(fields)}`);
}

describe('createIssuerConfig', () => {
  test('defaults: discovery, the asymmetric algorithms, `roles`, scope/scp, no typ or token_use, no opt-ins; frozen', () => {
    const config = createIssuerConfig(minimal);
    assert.deepEqual({ ...config }, {
      issuer: ISSUER,
      audience: ['api'],
      jwksUri: undefined,
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'],
      rolesClaim: ['roles'],
      scopesClaim: undefined,
      tokenType: undefined,
      tokenUse: undefined,
      allowMissingIssuer: false,
      allowMissingAudience: false,
    });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.audience));
    assert.ok(Object.isFrozen(config.algorithms));
  });

  test('every field set', () => {
    const config = createIssuerConfig({
      issuer: 'http://127.0.0.1:9/realms/x',
      audience: 'api, web ,api',
      jwksUri: 'https://keys.example.com/jwks.json',
      algorithms: ['ES256', 'Ed25519'],
      rolesClaim: '/realm_access/roles',
      scopesClaim: 'permissions',
      tokenType: 'application/at+jwt',
      tokenUse: 'access',
      allowMissingIssuer: true,
      allowMissingAudience: true,
    });
    assert.deepEqual(config.audience, ['api', 'web']);
    assert.equal(config.jwksUri?.href, 'https://keys.example.com/jwks.json');
    assert.deepEqual(config.algorithms, ['ES256', 'Ed25519']);
    assert.deepEqual(config.rolesClaim, ['realm_access', 'roles']);
    assert.deepEqual(config.scopesClaim, ['permissions']);
    assert.equal(config.tokenType, 'application/at+jwt');
    assert.equal(config.tokenUse, 'access');
    assert.equal(config.allowMissingIssuer, true);
    assert.equal(config.allowMissingAudience, true);
  });

  test('the issuer is a non-empty string', () => {
    for (const issuer of [undefined, '', 42]) {
      assert.equal(refused({ ...minimal, issuer }), 'issuer: must be a non-empty string (the exact `iss` of the tokens).');
    }
  });

  test('an audience is required: a non-empty list of non-empty strings', () => {
    assert.equal(refused({ issuer: ISSUER }), 'audience: is required: the `aud` value(s) the API accepts, comma-separated.');
    for (const audience of ['', [], [''], ['api', 7], 'api,,web', 5, { 0: 'api' }]) {
      assert.equal(refused({ ...minimal, audience }), 'audience: must be a non-empty list of non-empty strings.', JSON.stringify(audience));
    }
  });

  test('without a JWKS URL the issuer must be a URL fit for discovery (https, or http on loopback)', () => {
    assert.equal(refused({ issuer: 'my-issuer', audience: ['api'] }), 'issuer: must be an absolute URL (or set the JWKS URL explicitly to skip discovery).');
    assert.equal(
      refused({ issuer: 'http://id.example.com', audience: ['api'] }),
      'issuer: must use https (plain http is allowed only for loopback addresses): "http://id.example.com".',
    );
    assert.equal(createIssuerConfig({ issuer: 'my-issuer', audience: ['api'], jwksUri: 'https://keys.example.com/jwks' }).issuer, 'my-issuer');
  });

  test('the JWKS URL is absolute, and https unless on loopback', () => {
    assert.equal(refused({ ...minimal, jwksUri: '/jwks.json' }), 'jwksUri: must be an absolute URL.');
    assert.equal(refused({ ...minimal, jwksUri: 42 }), 'jwksUri: must be an absolute URL.');
    // Only a string: an object that prints as a URL is not one.
    assert.equal(refused({ ...minimal, jwksUri: new URL('https://keys.example.com/jwks') }), 'jwksUri: must be an absolute URL.');
    assert.equal(
      refused({ ...minimal, jwksUri: 'http://keys.example.com/jwks' }),
      'jwksUri: must use https (plain http is allowed only for loopback addresses): "http://keys.example.com/jwks".',
    );
    assert.equal(refused({ ...minimal, jwksUri: 'file:///etc/jwks.json' }).startsWith('jwksUri: must use https'), true);
    assert.equal(createIssuerConfig({ ...minimal, jwksUri: 'http://127.0.0.1:8080/jwks' }).jwksUri?.port, '8080');
  });

  test('symmetric algorithms and none are refused, in any case', () => {
    for (const algorithm of ['HS256', 'hs512', 'none', 'NONE', 'HS384']) {
      assert.equal(
        refused({ ...minimal, algorithms: ['ES256', algorithm] }),
        `algorithms: "${algorithm}" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).`,
      );
    }
  });

  test('an unknown algorithm is refused, naming the known ones', () => {
    for (const algorithm of ['ES257', 'rs256', 'HS', 'ES256 ', 'nonesuch', 'xnone', 'XHS256', 'HS256x']) {
      assert.equal(
        refused({ ...minimal, algorithms: [algorithm] }),
        `algorithms: "${algorithm}" is not a known JWS algorithm (RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA).`,
      );
    }
    assert.equal(refused({ ...minimal, algorithms: [] }), 'algorithms: must be a non-empty list of non-empty strings.');
  });

  test('claim paths are strings with valid pointer escapes', () => {
    assert.equal(refused({ ...minimal, rolesClaim: ['roles'] }), 'rolesClaim: must be a claim name or a JSON Pointer.');
    assert.equal(refused({ ...minimal, scopesClaim: 7 }), 'scopesClaim: must be a claim name or a JSON Pointer.');
    assert.equal(refused({ ...minimal, rolesClaim: '' }), 'rolesClaim: a claim address must not be empty.');
    assert.equal(refused({ ...minimal, scopesClaim: '/a~2' }), 'scopesClaim: "/a~2" is not a valid JSON Pointer: "~" must be followed by 0 or 1.');
  });

  test('typ is a media type; token_use a non-empty string', () => {
    assert.equal(createIssuerConfig({ ...minimal, tokenType: 'at+jwt' }).tokenType, 'at+jwt');
    for (const tokenType of ['at jwt', 'a/b/c', '/jwt', 'jwt/', 'at+jwt\n']) {
      assert.equal(refused({ ...minimal, tokenType }), `tokenType: "${tokenType}" is not a media type (e.g. at+jwt or application/at+jwt).`);
    }
    assert.equal(refused({ ...minimal, tokenType: '' }), 'tokenType: must be a non-empty string.');
    assert.equal(refused({ ...minimal, tokenUse: '' }), 'tokenUse: must be a non-empty string.');
    assert.equal(refused({ ...minimal, tokenUse: 1 }), 'tokenUse: must be a non-empty string.');
  });

  test('the opt-ins are booleans, never truthy strings', () => {
    for (const field of ['allowMissingIssuer', 'allowMissingAudience'] as const) {
      for (const value of ['true', 1, 'false', null]) {
        assert.equal(refused({ ...minimal, [field]: value }), `${field}: must be true or false.`);
      }
      assert.equal(createIssuerConfig({ ...minimal, [field]: false })[field], false);
    }
  });
});
