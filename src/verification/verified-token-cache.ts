import type { Principal } from '../principal.ts';

interface Entry {
  readonly principal: Principal;
  /** The key generation the token was verified with. */
  readonly generation: number;
  readonly keys: { readonly generation: number };
  readonly nbf: number | undefined;
}

/**
 * Tokens that verified, keyed by the exact token string, least recently used
 * first out. A hit is only taken while the signing keys are the generation
 * that verified it and `exp`/`nbf` still hold against the clock — so the
 * cache can skip the signature check, never widen what is accepted.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The principal of a cached token still valid at `nowSeconds` with
   * `toleranceSeconds` of skew (the same rule as jose's `jwtVerify`), or undefined.
   */
  get(token: string, nowSeconds: number, toleranceSeconds: number): Principal | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (
      entry.keys.generation !== entry.generation ||
      entry.principal.expiresAt <= nowSeconds - toleranceSeconds ||
      (entry.nbf !== undefined && entry.nbf > nowSeconds + toleranceSeconds)
    ) {
      this.#entries.delete(token);
      return undefined;
    }
    // Re-insert to mark as most recently used.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.principal;
  }

  set(token: string, principal: Principal, keys: { readonly generation: number }, generation: number, nbf: number | undefined): void {
    if (this.maxEntries === 0) return;
    this.#entries.delete(token);
    if (this.#entries.size >= this.maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(token, { principal, generation, keys, nbf });
  }

  clear(): void {
    this.#entries.clear();
  }
}
