/** The key set an entry was decided with: when its generation moves on, the entry is void. */
export interface KeyGeneration {
  readonly generation: number;
}

interface Entry<T> {
  readonly value: T;
  readonly keys: KeyGeneration | undefined;
  readonly generation: number;
}

/**
 * What was decided about a token, keyed by the exact token string, bounded,
 * least recently used first out. An entry never outlives the key set that
 * decided it: once that set changes, the entry is dropped and the token is
 * judged again. Serves both the verified-token cache (a hit skips the
 * signature check) and the refused-token cache (a hit skips it too).
 */
export class TokenCache<T> {
  readonly #entries = new Map<string, Entry<T>>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The value of a cached token, or undefined when there is none, its key set
   * changed, or `stillValid` says it no longer holds (the entry is dropped then).
   */
  get(token: string, stillValid?: (value: T) => boolean): T | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    if ((entry.keys !== undefined && entry.keys.generation !== entry.generation) || (stillValid !== undefined && !stillValid(entry.value))) {
      return undefined;
    }
    // Re-inserted: now the most recently used.
    this.#entries.set(token, entry);
    return entry.value;
  }

  /**
   * Remembers `value` for `token`, decided with `keys` at `generation`
   * (`keys` undefined: the decision involved no key and holds for good).
   */
  set(token: string, value: T, keys: KeyGeneration | undefined, generation: number): void {
    if (this.maxEntries === 0) return;
    this.#entries.delete(token);
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(token, { value, keys, generation });
  }

  clear(): void {
    this.#entries.clear();
  }
}
