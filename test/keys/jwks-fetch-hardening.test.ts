// Each key-fetch defence, with a test that fails when the defence is removed:
// discovery must name our issuer, redirects are never followed, and the
// body size limit holds whether or not Content-Length announces it. Every
// refused response here is otherwise a valid document, so it is refused for
// the one reason the test names.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwksCache } from '../../src/index.ts';
import { createTestKey } from '../support/test-issuer.ts';
import { createMemoryLogger, type LogLine } from '../support/test-api.ts';

const key = await createTestKey('RS256', 'k1');
const jwks = JSON.stringify({ keys: [key.publicJwk] });
const servers: ReturnType<typeof createServer>[] = [];
after(() => servers.forEach((server) => server.close()));

async function serve(handler: (req: IncomingMessage, res: ServerResponse, origin: string) => void): Promise<string> {
  let origin = '';
  const server = createServer((req, res) => handler(req, res, origin));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return origin;
}

async function load(options: { issuer: string; jwksUri?: string; maxBodyBytes?: number }) {
  const logs: LogLine[] = [];
  const cache = new JwksCache({
    issuer: options.issuer,
    jwksUri: options.jwksUri === undefined ? undefined : new URL(options.jwksUri),
    logger: createMemoryLogger(logs),
    retryInitialMs: 60_000,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  await cache.start().catch(() => {});
  cache.close();
  return { ready: cache.ready, logs };
}

/** A valid JWKS padded with more valid keys to at least `bytes`. */
function paddedJwks(bytes: number): string {
  const keys = [key.publicJwk];
  while (JSON.stringify({ keys }).length < bytes) keys.push({ ...key.publicJwk, kid: `pad-${keys.length}` });
  return JSON.stringify({ keys });
}

describe('key fetches', () => {
  test('control: a plain JWKS loads (so the refusals below are refusals, not broken fixtures)', async () => {
    const origin = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    assert.equal((await load({ issuer: origin, jwksUri: `${origin}/jwks` })).ready, true);
  });

  test('discovery naming a different issuer is refused: keys never load from an impostor\'s document', async () => {
    const impostor = await serve((req, res, origin) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: 'https://evil.example', jwks_uri: `${origin}/jwks` }));
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    const result = await load({ issuer: impostor });
    assert.equal(result.ready, false);
    assert.match(String(result.logs.find((line) => line.event === 'jwks.fetch_failed')?.fields.reason), /names issuer "https:\/\/evil\.example"/);
    // The same document naming our issuer loads.
    const honest = await serve((req, res, origin) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks` }));
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    assert.equal((await load({ issuer: honest })).ready, true);
  });

  test('a redirect is never followed, even to a valid JWKS', async () => {
    const target = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
    let targetHits = 0;
    const counted = await serve((_req, res) => {
      targetHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    void target;
    const redirecting = await serve((_req, res) => res.writeHead(302, { location: `${counted}/jwks` }).end());
    const result = await load({ issuer: redirecting, jwksUri: `${redirecting}/jwks` });
    assert.equal(result.ready, false);
    assert.equal(targetHits, 0, 'the redirect target was never asked');
  });

  test('a JWKS over the size limit with an honest Content-Length is refused', async () => {
    const body = paddedJwks(4096);
    const origin = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
    const refused = await load({ issuer: origin, jwksUri: `${origin}/jwks`, maxBodyBytes: 2048 });
    assert.equal(refused.ready, false);
    // Refused from the header, before the body is read: the announced size is the reason.
    assert.equal(refused.logs.find((line) => line.event === 'jwks.fetch_failed')?.fields.reason, `body of ${Buffer.byteLength(body)} bytes exceeds 2048`);
    assert.equal((await load({ issuer: origin, jwksUri: `${origin}/jwks`, maxBodyBytes: 8192 })).ready, true, 'the same body under a larger limit loads');
  });

  test('a chunked JWKS (no Content-Length) over the size limit is refused by the streamed count', async () => {
    const body = paddedJwks(4096);
    const origin = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < body.length; i += 512) res.write(body.slice(i, i + 512));
      res.end();
    });
    const result = await load({ issuer: origin, jwksUri: `${origin}/jwks`, maxBodyBytes: 2048 });
    assert.equal(result.ready, false);
    assert.match(String(result.logs.find((line) => line.event === 'jwks.fetch_failed')?.fields.reason), /body exceeds 2048 bytes$/);
    assert.equal((await load({ issuer: origin, jwksUri: `${origin}/jwks`, maxBodyBytes: 8192 })).ready, true, 'the same body under a larger limit loads');
  });
});
