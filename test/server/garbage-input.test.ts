// Bad input gets a clear, specific answer: never a crash, a hang, a 500, or data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { graphql, withIssuerAndApi } from '../support/test-api.ts';
import { rawRequest } from '../support/raw-http.ts';

const running = withIssuerAndApi({ AUTH_COOKIE: 'session' });

/** A deterministic generator, so a failure can be replayed. */
function* garbage(seed: number): Generator<string> {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pieces = ['.', '..', '=', '==', ' ', '\t', 'Bearer', 'eyJ', 'e30', '{}', '"', ',', ';', '%00', '\\u0000', 'é', '🙂', 'a'.repeat(200)];
  const valid = () => `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'x' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: running.issuer.issuer, exp: 'soon', aud: [1] })).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  for (;;) {
    const parts: string[] = [];
    const count = 1 + Math.floor(next() * 6);
    for (let i = 0; i < count; i++) {
      const roll = next();
      parts.push(roll < 0.3 ? pieces[Math.floor(next() * pieces.length)]! : roll < 0.5 ? valid() : randomBytes(Math.floor(next() * 40)).toString(next() < 0.5 ? 'base64url' : 'base64'));
    }
    yield parts.join(next() < 0.5 ? '' : '.');
  }
}

test('300 garbage tokens in the header and the cookie: always 401 or 200, never a 500, never data behind auth', async () => {
  const source = garbage(42);
  let sent = 0;
  for (let i = 0; i < 300; i++) {
    const value = source.next().value as string;
    const headers: Record<string, string> = i % 2 === 0 ? { authorization: `Bearer ${value}` } : { cookie: `session=${value}` };
    let response;
    try {
      response = await graphql(running.api.graphqlUrl, { query: '{ publicInfo me { sub } }', headers });
    } catch (error) {
      // fetch refuses to send some byte sequences at all; that is the client, not us.
      if (error instanceof TypeError && /ByteString|header|Header/.test(error.message)) continue;
      throw error;
    }
    sent++;
    assert.ok([200, 401].includes(response.status), `HTTP ${response.status} for ${JSON.stringify(value)}`);
    if (response.status === 200) assert.equal((response.body.data as { me: unknown }).me, null, JSON.stringify(value));
    else assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_(request|token)", error_description="[^"]+"$/);
  }
  assert.ok(sent >= 250, `${sent} of 300 could be sent`);
});

test('raw, non-UTF-8 and control bytes in the Authorization header never crash the server', async () => {
  for (const value of ['Bearer \x01\x02', 'Bearer a\x7fb.c.d', 'Bearer ' + 'x'.repeat(9_000), 'Bearer\ta.b.c', 'Bearer  a.b.c']) {
    const response = await rawRequest(running.api.origin, ['POST /graphql HTTP/1.1', 'Content-Type: application/json', `Authorization: ${value}`], JSON.stringify({ query: '{ publicInfo }' }));
    assert.ok([400, 401].includes(response.status), `HTTP ${response.status} for ${JSON.stringify(value.slice(0, 30))}`);
  }
  const alive = await graphql(running.api.graphqlUrl, { query: '{ publicInfo }' });
  assert.deepEqual(alive.body, { data: { publicInfo: 'claimgate example API' } });
});
