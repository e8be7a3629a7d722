// Where keys may come from: https anywhere, plain http only on this machine's
// loopback. A looser rule would let a network attacker serve the keys.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchFailedError, isAllowedKeyUrl, isLoopbackHost } from '../../src/keys/fetch-bounded.ts';
import { JwksCache } from '../../src/keys/jwks-cache.ts';
import { silentLogger } from '../../src/telemetry/log.ts';

describe('isLoopbackHost', () => {
  test('localhost, 127.0.0.0/8 and ::1 (bracketed or not, short or long) are loopback', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '[0:0:0:0:0:0:0:1]']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });
  test('everything else is not: look-alike names, other addresses, half brackets', () => {
    for (const host of ['localhost.evil.example', 'mylocalhost', '127.0.0.1.nip.io', '127.example', '128.0.0.1', '10.0.0.1', '0.0.0.0', '::', '::2', '[::2]', '::ffff:127.0.0.1', '[::1', '::1]', 'example.com', '']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});

describe('isAllowedKeyUrl', () => {
  test('https to any host is allowed', () => {
    assert.equal(isAllowedKeyUrl(new URL('https://id.example.com/jwks')), true);
    assert.equal(isAllowedKeyUrl(new URL('https://10.0.0.1/jwks')), true);
  });
  test('http only on loopback', () => {
    for (const url of ['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks']) assert.equal(isAllowedKeyUrl(new URL(url)), true, url);
    for (const url of ['http://id.example.com/jwks', 'http://10.0.0.1/jwks', 'http://127.0.0.1.nip.io/jwks']) assert.equal(isAllowedKeyUrl(new URL(url)), false, url);
  });
  test('no other scheme, not even for loopback', () => {
    for (const url of ['file:///etc/jwks.json', 'ftp://127.0.0.1/jwks', 'ws://127.0.0.1/jwks', 'data:application/json,{}']) assert.equal(isAllowedKeyUrl(new URL(url)), false, url);
  });
});

describe('the key cache refuses what it cannot use safely', () => {
  test('a plain-http JWKS URL off loopback is refused at construction', () => {
    assert.throws(() => new JwksCache({ issuer: 'https://id.example', jwksUri: new URL('http://id.example/jwks'), logger: silentLogger }), {
      name: 'TypeError',
      message: 'jwksUri must use https (http only for loopback): http://id.example/jwks',
    });
  });
  test('a cache that never loaded is not ready and holds nothing', () => {
    const cache = new JwksCache({ issuer: 'https://id.example', logger: silentLogger });
    assert.deepEqual([cache.ready, cache.keyCount, cache.loadedAt, cache.fetchCount, cache.generation, cache.issuer], [false, 0, undefined, 0, 0, 'https://id.example']);
    assert.deepEqual(cache.keyIdsFor({ kid: 'k' }), []);
    cache.close();
  });
  test('a fetch failure is classed (a metrics label), invalid by default', () => {
    assert.equal(new FetchFailedError('x').result, 'invalid');
    assert.equal(new FetchFailedError('x', 'timeout').result, 'timeout');
    assert.equal(new FetchFailedError('x').name, 'FetchFailedError');
    assert.equal(new FetchFailedError('x').code, FetchFailedError.code);
  });
});
