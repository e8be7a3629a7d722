// The first gate of every token, before any key is looked at: the exact
// compact-JWS shape, and the caches that remember a decision only as long as
// the key set that made it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTokenShape } from '../../src/verification/token-shape.ts';
import { TokenCache } from '../../src/verification/token-cache.ts';
import { TokenRejectedError } from '../../src/verification/token-rejected-error.ts';
import { b64 } from '../support/raw-jws.ts';

const HEADER = b64({ alg: 'ES256', kid: 'k1' });
const PAYLOAD = b64({ iss: 'https://id.example', sub: 'alice' });
const GOOD = `${HEADER}.${PAYLOAD}.c2ln`;

function refusal(token: string, maxBytes = 8192): { reason: string; detail: string | undefined } {
  try {
    decodeTokenShape(token, maxBytes);
  } catch (error) {
    assert.ok(error instanceof TokenRejectedError, String(error));
    return { reason: error.reason, detail: error.detail };
  }
  assert.fail(`accepted: ${token}`);
}

describe('token shape: exactly three non-empty base64url segments', () => {
  test('a well-formed token decodes its header and payload', () => {
    assert.deepEqual(decodeTokenShape(GOOD, 8192), {
      header: { alg: 'ES256', kid: 'k1' },
      payload: { iss: 'https://id.example', sub: 'alice' },
    });
  });
  test('size: a token of exactly the limit passes, one character more is too_large', () => {
    assert.doesNotThrow(() => decodeTokenShape(GOOD, GOOD.length));
    assert.deepEqual(refusal(GOOD, GOOD.length - 1), { reason: 'too_large', detail: `${GOOD.length} characters` });
  });
  test('five segments is an encrypted token (JWE), refused as such', () => {
    assert.deepEqual(refusal(`${HEADER}.a.b.c.d`), { reason: 'encrypted', detail: 'five segments (JWE)' });
  });
  test('any other segment count is malformed', () => {
    for (const [token, count] of [[`${HEADER}.${PAYLOAD}`, 2], [`${GOOD}.x`, 4], [`${GOOD}.x.y.z`, 6], ['abc', 1]] as const) {
      assert.deepEqual(refusal(token), { reason: 'malformed', detail: `${count} segments` });
    }
  });
  test('an empty segment, padding, whitespace or a non-url alphabet is malformed (no two spellings of one token)', () => {
    for (const token of [`${HEADER}.${PAYLOAD}.`, `.${PAYLOAD}.c2ln`, `${HEADER}..c2ln`, `${GOOD}=`, `${HEADER}.${PAYLOAD}.c2ln `, ` ${GOOD}`, `${HEADER}.${PAYLOAD}.c2l+`, `${HEADER}.${PAYLOAD}.c2l/`, `${HEADER}.${PAYLOAD}.c2\nln`]) {
      assert.deepEqual(refusal(token), { reason: 'malformed', detail: 'segment is empty or not base64url' }, JSON.stringify(token));
    }
  });
  test('a header or payload that is not JSON, or not a JSON object, is malformed and says which part', () => {
    assert.deepEqual(refusal(`${b64('{nope')}.${PAYLOAD}.c2ln`), { reason: 'malformed', detail: 'header is not JSON' });
    assert.deepEqual(refusal(`${HEADER}.${b64('nope')}.c2ln`), { reason: 'malformed', detail: 'payload is not JSON' });
    for (const value of [null, [1], '"text"', 7, true]) {
      assert.deepEqual(refusal(`${b64(value)}.${PAYLOAD}.c2ln`), { reason: 'malformed', detail: 'header is not a JSON object' }, JSON.stringify(value));
      assert.deepEqual(refusal(`${HEADER}.${b64(value)}.c2ln`), { reason: 'malformed', detail: 'payload is not a JSON object' }, JSON.stringify(value));
    }
  });
});

describe('token cache: bounded, least recently used out, void once its key set changes', () => {
  const keys = () => ({ generation: 1 });

  test('maxEntries must be a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new TokenCache(bad), { name: 'TypeError', message: 'maxEntries must be a non-negative integer' });
    }
    assert.equal(new TokenCache(0).maxEntries, 0);
  });
  test('size 0 remembers nothing', () => {
    const cache = new TokenCache<string>(0);
    cache.set('t', 'v', undefined, 0);
    assert.equal(cache.get('t'), undefined);
    assert.equal(cache.size, 0);
  });
  test('a full cache drops its least recently used entry, and a hit makes an entry the most recent', () => {
    const cache = new TokenCache<string>(2);
    cache.set('a', 'A', undefined, 0);
    cache.set('b', 'B', undefined, 0);
    assert.equal(cache.get('a'), 'A'); // a is now the most recent
    cache.set('c', 'C', undefined, 0); // drops b
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 'A');
    assert.equal(cache.get('c'), 'C');
    cache.set('c', 'C2', undefined, 0); // replacing an entry evicts nothing
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a'), 'A');
    assert.equal(cache.get('c'), 'C2');
  });
  test('an entry decided with a key set is void once that set moves to another generation', () => {
    const cache = new TokenCache<string>(10);
    const set = keys();
    cache.set('t', 'v', set, set.generation);
    assert.equal(cache.get('t'), 'v');
    set.generation = 2;
    assert.equal(cache.get('t'), undefined);
    assert.equal(cache.size, 0, 'the void entry is dropped');
    set.generation = 1;
    assert.equal(cache.get('t'), undefined, 'and stays gone if the generation comes back');
  });
  test('an entry decided without keys holds for good', () => {
    const cache = new TokenCache<string>(10);
    cache.set('t', 'v', undefined, 5);
    assert.equal(cache.get('t'), 'v');
  });
  test('an entry that stillValid refuses is dropped', () => {
    const cache = new TokenCache<number>(10);
    cache.set('t', 1, undefined, 0);
    assert.equal(cache.get('t', (value) => value === 1), 1);
    assert.equal(cache.get('t', () => false), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.get('t'), undefined);
  });
  test('clear empties it', () => {
    const cache = new TokenCache<string>(10);
    cache.set('t', 'v', undefined, 0);
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.get('t'), undefined);
  });
});
