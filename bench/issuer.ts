import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';

/** A local identity provider: one RS256 key, its JWKS over HTTP, and a fetch counter. */
export interface BenchIssuer {
  /** Base URL, also the tokens' `iss`. */
  readonly url: string;
  readonly jwksUri: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** JWKS GET requests served so far; a server's fetches are the difference around its lifetime. */
  jwksFetches(): number;
  close(): Promise<void>;
}

const JWKS_PATH = '/.well-known/jwks.json';

/**
 * Starts the issuer on 127.0.0.1, port 0. `GET /__count` answers the fetch
 * count too, so a person watching a run can read it with curl.
 */
export async function startIssuer(): Promise<BenchIssuer> {
  const kid = 'bench-key-1';
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] });
  let fetches = 0;

  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === JWKS_PATH) {
      fetches += 1;
      // Cacheable like a real provider's JWKS, so servers that honour max-age can.
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' });
      response.end(jwks);
    } else if (request.method === 'GET' && request.url === '/__count') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ jwksFetches: fetches }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    jwksUri: `${url}${JWKS_PATH}`,
    kid,
    privateKey,
    jwksFetches: () => fetches,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
