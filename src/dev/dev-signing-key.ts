import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** Where the development issuer keeps its key, so `npm run token` and `npm start` agree. Git-ignored. */
export const DEV_KEY_DIRECTORY = new URL('../../.claimgate-dev/', import.meta.url);

export interface DevSigningKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  readonly kid: string;
  readonly alg: 'ES256';
}

/**
 * Loads the development signing key, creating it (ES256, file mode 0600) on
 * first use. Development only: a production deployment never has this file.
 */
export async function loadDevSigningKey(directory: URL = DEV_KEY_DIRECTORY): Promise<DevSigningKey> {
  const file = new URL('signing-key.json', directory);
  let privateJwk: JWK;
  try {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: `dev-${Date.now().toString(36)}`, alg: 'ES256', use: 'sig' };
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600, flag: 'wx' });
  }
  const { d: _private, ...publicJwk } = privateJwk;
  return {
    privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
    publicJwk,
    kid: privateJwk.kid!,
    alg: 'ES256',
  };
}
