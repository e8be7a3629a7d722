import { performance } from 'node:perf_hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { DEFAULTS } from '../config/defaults.ts';
import { hasClaimgateCode } from '../claimgate-error.ts';
import type { Logger } from '../telemetry/log.ts';
import { noopMetrics, type KeyFetchResult, type MetricsRecorder } from '../telemetry/metrics-recorder.ts';
import { SPANS, tracer } from '../telemetry/tracer.ts';
import { fetchJson, FetchFailedError, isAllowedKeyUrl } from './fetch-bounded.ts';
import { KeysUnavailableError } from './keys-unavailable-error.ts';

export interface JwksCacheOptions {
  /** The issuer the keys belong to; discovery checks the document's `issuer` against it. */
  readonly issuer: string;
  /** JWKS URL; when undefined, it is read from `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUri?: URL | undefined;
  readonly logger: Logger;
  /** Where each fetch's result and duration is recorded. Default: nowhere. */
  readonly metrics?: MetricsRecorder;
  /** At most one unknown-`kid` refetch per this many milliseconds. Default 30 000. */
  readonly cooldownMs?: number;
  /** Refresh period without a usable Cache-Control max-age, in milliseconds. Default 600 000. */
  readonly refreshMs?: number;
  /** Bounds a Cache-Control max-age is clamped to, in milliseconds. Defaults 60 000 and 86 400 000. */
  readonly minRefreshMs?: number;
  readonly maxRefreshMs?: number;
  /** How long keys stay usable after the last successful fetch while refreshes fail, in milliseconds. Default 86 400 000. */
  readonly maxStaleMs?: number;
  /** Fetch timeout, in milliseconds. Default 5 000. */
  readonly timeoutMs?: number;
  /** Largest accepted response body, in bytes. Default 524 288. */
  readonly maxBodyBytes?: number;
  /** Retry backoff after a failure: first delay and cap, in milliseconds. Defaults 1 000 and 30 000. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  /** The clock, in milliseconds since the epoch. */
  readonly now?: () => number;
  /** Called after each change of the key set (`generation` has moved on). */
  readonly onChange?: (() => void) | undefined;
}

type Settings = Required<Omit<JwksCacheOptions, 'jwksUri' | 'onChange'>> & { jwksUri: URL | undefined };

/** The parts of a token's protected header that pick its key. */
export interface KeyHeader {
  readonly kid?: unknown;
  readonly alg?: unknown;
}

/**
 * The keys of one issuer, fetched over HTTP and kept fresh.
 *
 * Built on jose's `createLocalJWKSet` for key selection and import; the
 * remote part is ours because jose's `createRemoteJWKSet` falls short of what
 * a server in front of an identity provider needs: it has no stale-if-error
 * (after its max age a failed refetch fails every verification), starts no
 * cooldown after a failed fetch (a flood of unknown `kid`s while the provider
 * is down becomes a flood of fetches), does not limit the body size, ignores
 * Cache-Control, and does not drop symmetric keys a provider publishes.
 *
 * Inspectable: `ready`, `fetchCount`, `generation`, `reload()`.
 */
export class JwksCache {
  readonly #settings: Settings;
  #keySet: JWTVerifyGetKey | undefined;
  #fingerprint = '';
  #loadedAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #jwksUri: URL | undefined;
  #fetchCount = 0;
  #generation = 0;
  /** Public-key fingerprints of the current key set (see `keyIdsFor`). */
  #keyIds = new Set<string>();
  #keys: readonly JWK[] = [];
  readonly #onChange: (() => void) | undefined;

  constructor(options: JwksCacheOptions) {
    const d = DEFAULTS.jwks;
    this.#settings = {
      issuer: options.issuer,
      jwksUri: options.jwksUri,
      logger: options.logger,
      metrics: options.metrics ?? noopMetrics,
      cooldownMs: positive(options.cooldownMs, d.cooldownMs, 'cooldownMs'),
      refreshMs: positive(options.refreshMs, d.refreshMs, 'refreshMs'),
      minRefreshMs: positive(options.minRefreshMs, d.minRefreshMs, 'minRefreshMs'),
      maxRefreshMs: positive(options.maxRefreshMs, d.maxRefreshMs, 'maxRefreshMs'),
      maxStaleMs: positive(options.maxStaleMs, d.maxStaleMs, 'maxStaleMs'),
      timeoutMs: positive(options.timeoutMs, d.timeoutMs, 'timeoutMs'),
      maxBodyBytes: positive(options.maxBodyBytes, d.maxBodyBytes, 'maxBodyBytes', 'bytes'),
      retryInitialMs: positive(options.retryInitialMs, d.retryInitialMs, 'retryInitialMs'),
      retryMaxMs: positive(options.retryMaxMs, d.retryMaxMs, 'retryMaxMs'),
      now: options.now ?? Date.now,
    };
    if (options.jwksUri !== undefined && !isAllowedKeyUrl(options.jwksUri)) {
      throw new TypeError(`jwksUri must use https (http only for loopback): ${options.jwksUri.href}`);
    }
    this.#jwksUri = options.jwksUri;
    this.#onChange = options.onChange;
  }

  /** True while usable keys are held: loaded, and not older than the stale limit. */
  get ready(): boolean {
    return this.#keySet !== undefined && this.#settings.now() - this.#loadedAt <= this.#settings.maxStaleMs;
  }

  /** The issuer these keys belong to. */
  get issuer(): string {
    return this.#settings.issuer;
  }

  /** How many signing keys are held (0 before the first successful fetch). */
  get keyCount(): number {
    return this.#keys.length;
  }

  /** When the keys were last fetched successfully, in milliseconds since the epoch (the cache's clock); undefined before. */
  get loadedAt(): number | undefined {
    return Number.isFinite(this.#loadedAt) ? this.#loadedAt : undefined;
  }

  /** How many JWKS documents were requested (discovery documents not counted). */
  get fetchCount(): number {
    return this.#fetchCount;
  }

  /** Increases each time the set of keys changes; verified tokens of an older generation are re-verified. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Fingerprints of the current keys a token with this header could have
   * been verified with (same `kid` when it names one, a key type its `alg`
   * uses): a superset of the key that actually verified it. Read them right
   * after a verification, and ask `hasKeyId` later whether the key is still
   * published.
   */
  keyIdsFor(header: KeyHeader): readonly string[] {
    const kty = typeof header.alg === 'string' ? keyTypeOf(header.alg) : undefined;
    return this.#keys
      .filter((key) => (header.kid === undefined || key.kid === header.kid) && (kty === undefined || key.kty === kty))
      .map(keyId);
  }

  /** True while the key of this fingerprint (from `keyIdsFor`) is in the key set. */
  hasKeyId(id: string): boolean {
    return this.#keyIds.has(id);
  }

  /** Fetches the keys now and keeps them fresh; resolves once the first attempt has ended. */
  start(): Promise<void> {
    return this.reload();
  }

  /** Fetches the keys once; concurrent callers share one fetch. Never rejects: failures are logged. */
  reload(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Stops the refresh schedule. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  /**
   * The key for a token header, for jose's `jwtVerify`. An unknown `kid`
   * causes at most one refetch per cooldown window. Throws
   * KeysUnavailableError when no usable keys are held.
   */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.ready) {
      await this.#refetchIfAllowed();
      if (!this.ready) throw new KeysUnavailableError(this.#settings.issuer);
    }
    try {
      return await this.#keySet!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      const generation = this.#generation;
      await this.#refetchIfAllowed();
      if (this.#generation === generation || !this.ready) throw error;
      return this.#keySet!(header, token);
    }
  };

  #refetchIfAllowed(): Promise<void> {
    if (this.#inflight !== undefined) return this.#inflight;
    if (this.#settings.now() - this.#lastAttemptAt < this.#settings.cooldownMs) return Promise.resolve();
    return this.reload();
  }

  #load(): Promise<void> {
    return tracer.startActiveSpan(SPANS.fetchKeys, { attributes: { 'claimgate.issuer': this.#settings.issuer } }, async (span) => {
      const started = performance.now();
      const result = await this.#fetchKeys();
      this.#settings.metrics.keyFetch(this.#settings.issuer, result, (performance.now() - started) / 1000);
      span.setAttribute('claimgate.fetch_result', result);
      if (result !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: result });
      span.end();
    });
  }

  /** One fetch (discovery included): replaces the keys on success, schedules the next. Never rejects. */
  async #fetchKeys(): Promise<KeyFetchResult> {
    const { logger, issuer } = this.#settings;
    this.#lastAttemptAt = this.#settings.now();
    clearTimeout(this.#timer);
    try {
      const jwksUri = this.#jwksUri ?? (await this.#discover());
      this.#jwksUri = jwksUri;
      this.#fetchCount++;
      const { body, headers } = await fetchJson(jwksUri, this.#settings);
      const keys = signingKeys(body);
      const fingerprint = JSON.stringify(keys);
      if (fingerprint !== this.#fingerprint) {
        this.#keySet = createLocalJWKSet({ keys } as JSONWebKeySet);
        this.#fingerprint = fingerprint;
        this.#keys = keys;
        this.#keyIds = new Set(keys.map(keyId));
        this.#generation++;
        logger.info('jwks.loaded', { issuer, jwksUri: jwksUri.href, keys: keys.length, kids: keys.map((key) => key.kid ?? null) });
        this.#notifyChange();
      }
      this.#loadedAt = this.#settings.now();
      this.#failures = 0;
      this.#schedule(this.#refreshDelay(headers.get('cache-control')));
      return 'ok';
    } catch (error) {
      this.#failures++;
      const reason = hasClaimgateCode(error, FetchFailedError.code) || error instanceof TypeError ? (error as Error).message : 'unexpected error';
      logger.warn('jwks.fetch_failed', { issuer, reason, keptKeys: this.ready, attempt: this.#failures });
      this.#schedule(Math.min(this.#settings.retryMaxMs, this.#settings.retryInitialMs * 2 ** (this.#failures - 1)));
      return error instanceof FetchFailedError ? error.result : 'invalid';
    }
  }

  #notifyChange(): void {
    try {
      this.#onChange?.();
    } catch (error) {
      this.#settings.logger.error('jwks.change_listener_failed', { issuer: this.#settings.issuer, reason: (error as Error)?.message ?? String(error) });
    }
  }

  async #discover(): Promise<URL> {
    const { issuer } = this.#settings;
    const url = new URL(`${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}/.well-known/openid-configuration`);
    if (!isAllowedKeyUrl(url)) throw new FetchFailedError(`discovery URL must use https: ${url.href}`);
    let body: unknown;
    try {
      ({ body } = await fetchJson(url, this.#settings));
    } catch (error) {
      throw new FetchFailedError(`discovery ${url.href}: ${(error as Error).message}`, error instanceof FetchFailedError ? error.result : 'invalid');
    }
    const document = body as { issuer?: unknown; jwks_uri?: unknown } | null;
    if (document === null || typeof document !== 'object') throw new FetchFailedError('discovery document is not an object');
    if (document.issuer !== issuer) {
      throw new FetchFailedError(`discovery document names issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(issuer)}`);
    }
    if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri)) {
      throw new FetchFailedError('discovery document has no valid jwks_uri');
    }
    const jwksUri = new URL(document.jwks_uri);
    if (!isAllowedKeyUrl(jwksUri)) throw new FetchFailedError(`jwks_uri must use https: ${jwksUri.href}`);
    return jwksUri;
  }

  #refreshDelay(cacheControl: string | null): number {
    const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl ?? '')?.[1];
    if (maxAge === undefined) return this.#settings.refreshMs;
    return Math.min(this.#settings.maxRefreshMs, Math.max(this.#settings.minRefreshMs, Number(maxAge) * 1000));
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reload(), delayMs);
    this.#timer.unref();
  }
}

const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/**
 * The usable signing keys of a JWKS document: `use` absent or `sig`,
 * asymmetric `kty`, public members only. Throws when none is left, so that a
 * broken document never replaces good keys.
 */
function signingKeys(body: unknown): JWK[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new FetchFailedError('JWKS has no "keys" array');
  const usable = keys.filter(
    (key): key is JWK =>
      key !== null &&
      typeof key === 'object' &&
      ASYMMETRIC_KEY_TYPES.has((key as JWK).kty as string) &&
      ((key as JWK).use === undefined || (key as JWK).use === 'sig') &&
      PRIVATE_MEMBERS.every((member) => !(member in key)),
  );
  if (usable.length === 0) throw new FetchFailedError('JWKS contains no usable signing key');
  return usable;
}

/** The public key material of a JWK and its `kid`, as a string: the same key under another `alg` or `use` is the same key, under another `kid` it is not (a token names its key by `kid`). */
function keyId(key: JWK): string {
  return JSON.stringify([key.kty, key.crv ?? null, key.n ?? null, key.e ?? null, key.x ?? null, key.y ?? null, key.kid ?? null]);
}

/** The JWK `kty` a JWS `alg` verifies with; undefined for one we do not know (then any type is a candidate). */
function keyTypeOf(alg: string): string | undefined {
  if (/^(RS|PS)\d+$/.test(alg)) return 'RSA';
  if (/^ES\d+K?$/.test(alg)) return 'EC';
  if (alg === 'EdDSA' || alg === 'Ed25519') return 'OKP';
  return undefined;
}

function positive(value: number | undefined, fallback: number, name: string, unit: 'milliseconds' | 'bytes' = 'milliseconds'): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number of ${unit}`);
  return value;
}
