import type { StreamEndCode } from '../errors.ts';
import type { Principal } from '../principal/principal.ts';
import type { TokenVerifier } from '../verification/token-verifier.ts';

/** Longest delay Node's setTimeout honours; later deadlines are re-armed in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** Counters of long-lived operations, for metrics (read them; never write). */
export interface StreamStats {
  /** Watched right now: token-bound streams and WebSocket connections. */
  open: number;
  /** Ended because the token expired. */
  endedByExpiry: number;
  /** Ended because the key that signed the token left the key set. */
  endedByKeyRetirement: number;
}

interface Watch {
  readonly principal: Principal;
  readonly end: (code: StreamEndCode) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Watches long-lived operations (subscription streams, WebSocket
 * connections) of authenticated callers and ends each one, with its code,
 * when its token's `exp` plus the clock tolerance passes (a timer, not the
 * next event) or when a key-set refresh drops the key that signed it.
 * Anonymous operations are not watched: nothing of theirs can expire.
 */
export class TokenLifetime {
  readonly stats: StreamStats = { open: 0, endedByExpiry: 0, endedByKeyRetirement: 0 };
  readonly #watches = new Set<Watch>();
  readonly #verifier: Pick<TokenVerifier, 'isSigningKeyPresent' | 'onKeySetChange'>;
  readonly #toleranceMs: number;
  readonly #now: () => number;
  readonly #unsubscribe: () => void;

  constructor(options: {
    readonly verifier: Pick<TokenVerifier, 'isSigningKeyPresent' | 'onKeySetChange'>;
    /** Allowed clock skew on exp, in seconds (the verifier's). */
    readonly clockToleranceSeconds: number;
    /** The clock, in milliseconds since the epoch (the verifier's). */
    readonly now: () => number;
  }) {
    this.#verifier = options.verifier;
    this.#toleranceMs = options.clockToleranceSeconds * 1000;
    this.#now = options.now;
    this.#unsubscribe = this.#verifier.onKeySetChange(() => this.#checkKeys());
  }

  /** The instant (ms since the epoch) the principal's token stops being accepted. */
  deadline(principal: Principal): number {
    return principal.expiresAt * 1000 + this.#toleranceMs;
  }

  /** Why the principal's operations must end now, or undefined while its token holds. */
  reasonToEnd(principal: Principal): StreamEndCode | undefined {
    if (this.#now() >= this.deadline(principal)) return 'TOKEN_EXPIRED';
    if (!this.#verifier.isSigningKeyPresent(principal)) return 'TOKEN_KEY_RETIRED';
    return undefined;
  }

  /**
   * Calls `end` once, when the principal's token expires or its key is
   * retired (at once when that is already so). Returns the function that
   * stops watching; call it when the operation ends on its own.
   */
  watch(principal: Principal, end: (code: StreamEndCode) => void): () => void {
    const watch: Watch = { principal, end, timer: undefined };
    this.#watches.add(watch);
    this.stats.open++;
    const stop = () => this.#unwatch(watch);
    const reason = this.reasonToEnd(principal);
    if (reason !== undefined) this.#end(watch, reason);
    else this.#arm(watch);
    return stop;
  }

  /** Stops every timer and the key-set listener (the plugin's dispose). */
  close(): void {
    this.#unsubscribe();
    for (const watch of [...this.#watches]) this.#unwatch(watch);
  }

  #arm(watch: Watch): void {
    const delay = this.deadline(watch.principal) - this.#now();
    watch.timer = setTimeout(() => {
      watch.timer = undefined;
      if (!this.#watches.has(watch)) return;
      // A timer can fire a little early by our clock; re-arm until the deadline.
      if (this.#now() >= this.deadline(watch.principal)) this.#end(watch, 'TOKEN_EXPIRED');
      else this.#arm(watch);
    }, Math.min(Math.max(delay, 0), MAX_TIMER_MS));
    // An open stream keeps the process alive anyway; a timer alone must not.
    watch.timer.unref();
  }

  #checkKeys(): void {
    for (const watch of [...this.#watches]) {
      if (!this.#verifier.isSigningKeyPresent(watch.principal)) this.#end(watch, 'TOKEN_KEY_RETIRED');
    }
  }

  #end(watch: Watch, code: StreamEndCode): void {
    if (!this.#unwatch(watch)) return;
    if (code === 'TOKEN_EXPIRED') this.stats.endedByExpiry++;
    else this.stats.endedByKeyRetirement++;
    watch.end(code);
  }

  #unwatch(watch: Watch): boolean {
    if (!this.#watches.delete(watch)) return false;
    clearTimeout(watch.timer);
    this.stats.open--;
    return true;
  }
}
