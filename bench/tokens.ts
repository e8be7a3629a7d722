import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { BenchIssuer } from './issuer.ts';

export const BENCH_AUDIENCE = 'claimgate-bench';

/** Every token the bench sends, minted before any server starts. */
export interface TokenSet {
  /** sub "bench-hot", roles admin + editor, scope reports:read: the token a busy client reuses. */
  readonly hot: string;
  /** Distinct valid tokens (distinct sub, same roles): defeats any per-token cache. */
  readonly pool: readonly string[];
  /** Signed by another key under the issuer's kid: well-formed, must fail verification. */
  readonly invalid: readonly string[];
  /** Valid, roles ["viewer"]: authenticated but lacking admin and editor. */
  readonly viewer: string;
  /** Valid, roles ["editor"]: may read documents, not adminReport. */
  readonly editor: string;
}

export interface TokenSetOptions {
  /** Size of the distinct-token pool. */
  readonly poolSize: number;
  /** Number of distinct invalid tokens. */
  readonly invalidCount: number;
}

const ROLES = ['admin', 'editor'];
const LIFETIME = '1h';
const SIGN_BATCH = 256;

/** Mints the token set; RS256 signing costs ~1 ms of CPU a token. */
export async function mintTokens(issuer: BenchIssuer, options: TokenSetOptions): Promise<TokenSet> {
  const sign = (key: CryptoKey, sub: string, roles: readonly string[]) =>
    new SignJWT({ roles: [...roles], scope: 'reports:read' })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.kid, typ: 'JWT' })
      .setIssuer(issuer.url)
      .setAudience(BENCH_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(LIFETIME)
      .sign(key);

  // WebCrypto signs on the libuv thread pool: batches of concurrent signs use every core.
  const pool: string[] = [];
  for (let start = 0; start < options.poolSize; start += SIGN_BATCH) {
    const end = Math.min(start + SIGN_BATCH, options.poolSize);
    const batch = Array.from({ length: end - start }, (_, i) => sign(issuer.privateKey, `bench-user-${start + i}`, ROLES));
    pool.push(...(await Promise.all(batch)));
  }

  const { privateKey: impostorKey } = await generateKeyPair('RS256');
  const invalid: string[] = [];
  for (let i = 0; i < options.invalidCount; i += 1) invalid.push(await sign(impostorKey, `bench-impostor-${i}`, ROLES));

  return {
    hot: await sign(issuer.privateKey, 'bench-hot', ROLES),
    pool,
    invalid,
    viewer: await sign(issuer.privateKey, 'bench-viewer', ['viewer']),
    editor: await sign(issuer.privateKey, 'bench-editor', ['editor']),
  };
}
