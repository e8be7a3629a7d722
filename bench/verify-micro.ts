// `node --import tsx bench/verify-micro.ts`: what one first-seen RS256 token
// costs, step by step, in CPU µs (process.cpuUsage: every thread), so the
// cost of jose's WebCrypto path can be told from ours. Run it pinned to one
// core (`taskset -c 0`) to see what the bench's pinned server pays, where
// libuv's pool thread competes with the JavaScript thread for the core.
//
// Only the jose rows are candidates for claimgate: the node:crypto row is the
// bare RSA operation, a reference for what the WebCrypto hop costs, not an
// alternative (jose makes every JOSE decision).
import { constants, createPublicKey, verify as nodeVerify, webcrypto } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { decodeTokenShape } from '../src/verification/token-shape.ts';
import { TokenVerifier } from '../src/verification/token-verifier.ts';
import { createIssuerConfig } from '../src/verification/issuer-config.ts';
import { silentLogger } from '../src/telemetry/log.ts';

const COUNT = Number(process.env['MICRO_COUNT'] ?? 4000);
/** Verifications in flight at once, like the bench's 10 connections. */
const CONCURRENCY = 10;
/** Calls per step before timing, on tokens the timed calls do not use. */
const WARM = 500;
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'micro';

const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
const tokens = await Promise.all(
  Array.from({ length: COUNT }, (_, i) =>
    new SignJWT({ roles: ['admin', 'editor'], scope: 'reports:read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(`micro-${i}`)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey),
  ),
);
const options = { issuer: ISSUER, audience: [AUDIENCE], algorithms: ['RS256'], requiredClaims: ['exp'] };
const localSet = createLocalJWKSet({ keys: [jwk] });
const keyObject = createPublicKey({ key: jwk, format: 'jwk' });
const parts = tokens.map((token) => {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return { data: Buffer.from(`${header}.${payload}`), signature: Buffer.from(signature, 'base64url') };
});

// A TokenVerifier on a local JWKS server would add HTTP noise; its keys come from a stub fetch instead.
const jwksServer = await import('node:http').then(({ createServer }) => {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  return new Promise<import('node:http').Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
});
const jwksUri = `http://127.0.0.1:${(jwksServer.address() as import('node:net').AddressInfo).port}/jwks`;
const verifier = new TokenVerifier({
  issuers: [createIssuerConfig({ issuer: ISSUER, audience: [AUDIENCE], jwksUri })],
  logger: silentLogger,
  tokenCacheSize: 10_000,
});
await verifier.start();

const cases: Record<string, (i: number) => unknown> = {
  'decodeTokenShape (our pre-decode: iss, kid)': (i) => decodeTokenShape(tokens[i]!, 8192),
  'node:crypto verify, sync (the bare RSA operation; reference only)': (i) =>
    nodeVerify('sha256', parts[i]!.data, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }, parts[i]!.signature),
  'crypto.subtle.verify (the WebCrypto floor jose stands on)': (i) =>
    webcrypto.subtle.verify('RSASSA-PKCS1-v1_5', publicKey, parts[i]!.signature, parts[i]!.data),
  'jose jwtVerify, CryptoKey': (i) => jwtVerify(tokens[i]!, publicKey, options),
  'jose jwtVerify, createLocalJWKSet (what JwksCache hands jose)': (i) => jwtVerify(tokens[i]!, localSet, options),
  'TokenVerifier.verify, first-seen token (the whole library path)': (i) => verifier.verify(tokens[i]!),
  'TokenVerifier.verify, cached token': (i) => verifier.verify(tokens[i]!),
};

console.log(`${COUNT} distinct tokens, ${CONCURRENCY} in flight; CPU µs per call (all threads) and wall µs per call\n`);
console.log('| step | CPU µs | wall µs |\n| --- | ---: | ---: |');
for (const [name, run] of Object.entries(cases)) {
  await measure(run, 0, WARM); // warms the JIT; the timed calls use tokens the verifier has not seen
  const { cpu, wall } = await measure(run, WARM, COUNT);
  console.log(`| ${name} | ${cpu.toFixed(1)} | ${wall.toFixed(1)} |`);
}
verifier.close();
jwksServer.close();

async function measure(run: (i: number) => unknown, from: number, to: number): Promise<{ cpu: number; wall: number }> {
  const count = to - from;
  const cpuBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  let next = from;
  const lane = async () => {
    while (next < to) await run(next++);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const cpu = process.cpuUsage(cpuBefore);
  return { cpu: (cpu.user + cpu.system) / count, wall: Number(process.hrtime.bigint() - wallBefore) / 1000 / count };
}
