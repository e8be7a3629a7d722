// extractCredentials and bearerChallenge alone, as whole results: which header
// or cookie is a token, which is refused as invalid (and why), and what a
// challenge may carry. The HTTP tests (test/server/) show the same over the wire.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCredentials, type Credentials } from '../../src/credentials/extract-credentials.ts';
import { bearerChallenge } from '../../src/credentials/www-authenticate.ts';

const none: Credentials = { kind: 'none' };
const header = (token: string): Credentials => ({ kind: 'token', token, source: 'header' });
const cookie = (token: string): Credentials => ({ kind: 'token', token, source: 'cookie' });
const invalid = (problem: string): Credentials => ({ kind: 'invalid', problem });

describe('the Authorization header (RFC 6750 §2.1)', () => {
  const cases: [string, Credentials][] = [
    ['Bearer abc', header('abc')],
    ['bearer abc', header('abc')],
    ['BEARER abc', header('abc')],
    ['Bearer   abc', header('abc')],
    ['Bearer aZ09-._~+/==', header('aZ09-._~+/==')],
    ['Bearer', invalid('Bearer without a token')],
    ['bearer   ', invalid('Bearer without a token')],
    ['Bearer\t', invalid('Bearer without a token')],
    ['Bearer\tabc', invalid('not a Bearer credential')],
    ['Basic YWxhZGRpbjpvcGVuc2VzYW1l', invalid('not a Bearer credential')],
    ['Bearer abc def', invalid('not a Bearer credential')],
    ['Bearer a=b', invalid('not a Bearer credential')],
    ['Bearer abc,', invalid('not a Bearer credential')],
    [' Bearer abc', invalid('not a Bearer credential')],
    ['xBearer abc', invalid('not a Bearer credential')],
    ['xBearer', invalid('not a Bearer credential')],
    ['Bearerabc', invalid('not a Bearer credential')],
    ['Bearer abc\n', invalid('not a Bearer credential')],
    ['Bearer \u00e9', invalid('not a Bearer credential')],
    ['', invalid('not a Bearer credential')],
  ];
  for (const [value, expected] of cases) {
    test(`${JSON.stringify(value)} is ${expected.kind === 'invalid' ? `refused: ${expected.problem}` : expected.kind}`, () => {
      assert.deepEqual(extractCredentials({ authorization: [value], cookie: [] }, undefined), expected);
      // The same with a cookie source on: a present header decides alone.
      assert.deepEqual(extractCredentials({ authorization: [value], cookie: ['hanko=cookietoken'] }, 'hanko'), expected);
    });
  }

  test('two Authorization headers are refused, even when both are good Bearer tokens', () => {
    assert.deepEqual(extractCredentials({ authorization: ['Bearer a', 'Bearer a'], cookie: [] }, undefined), invalid('more than one Authorization header'));
    assert.deepEqual(extractCredentials({ authorization: ['Bearer a', 'Bearer b'], cookie: ['hanko=c'] }, 'hanko'), invalid('more than one Authorization header'));
  });

  test('no header and no cookie source: no credentials, whatever cookies came', () => {
    assert.deepEqual(extractCredentials({ authorization: [], cookie: [] }, undefined), none);
    assert.deepEqual(extractCredentials({ authorization: [], cookie: ['hanko=abc'] }, undefined), none);
  });
});

describe('the cookie (RFC 6265 §5.4), read only without an Authorization header', () => {
  const cases: [readonly string[], Credentials][] = [
    [[], none],
    [['hanko=abc'], cookie('abc')],
    [['a=1; hanko=abc; b=2'], cookie('abc')],
    [['a=1;hanko=abc;b=2'], cookie('abc')],
    [['  hanko  =  abc  '], cookie('abc')],
    [['hanko="abc"'], cookie('abc')],
    [['hanko=abc=='], cookie('abc==')],
    [['other=1', 'hanko=abc'], cookie('abc')],
    [['hankox=abc; xhanko=abc; Hanko=abc'], none],
    [['hanko'], none],
    [['hankoa'], none],
    [['hanko', 'hankoa; other=1'], none],
    [['hanko; other=1'], none],
    [['hanko=abc', 'hanko=abc'], invalid('more than one hanko cookie')],
    [['hanko=a; hanko=b'], invalid('more than one hanko cookie')],
    [['hanko='], invalid('the hanko cookie is not a token')],
    [['hanko=""'], invalid('the hanko cookie is not a token')],
    [['hanko="'], invalid('the hanko cookie is not a token')],
    [['hanko="abc'], invalid('the hanko cookie is not a token')],
    [['hanko=abc"'], invalid('the hanko cookie is not a token')],
    [['hanko=abc def'], invalid('the hanko cookie is not a token')],
    [['hanko=a=b'], invalid('the hanko cookie is not a token')],
    [['hanko=abc,'], invalid('the hanko cookie is not a token')],
    [['hanko=%41bc'], invalid('the hanko cookie is not a token')],
    [['hanko==abc'], invalid('the hanko cookie is not a token')],
  ];
  for (const [lines, expected] of cases) {
    test(`${JSON.stringify(lines)} is ${expected.kind === 'invalid' ? `refused: ${expected.problem}` : expected.kind}`, () => {
      assert.deepEqual(extractCredentials({ authorization: [], cookie: lines }, 'hanko'), expected);
    });
  }
});

describe('bearerChallenge', () => {
  test('builds the RFC 6750 challenge with both parameters quoted', () => {
    assert.equal(bearerChallenge('invalid_token', 'token expired'), 'Bearer error="invalid_token", error_description="token expired"');
    assert.equal(bearerChallenge('invalid_request', 'more than one Authorization header'), 'Bearer error="invalid_request", error_description="more than one Authorization header"');
  });

  test('drops every character a quoted string cannot hold: quote, backslash, controls, non-ASCII', () => {
    assert.equal(
      bearerChallenge('invalid_token', 'a"b\\c\u0000d\u001fe\u007ff\u00e9g\r\nh'),
      'Bearer error="invalid_token", error_description="abcdefgh"',
    );
    assert.equal(bearerChallenge('invalid_token', ' !#[]~'), 'Bearer error="invalid_token", error_description=" !#[]~"');
  });
});
