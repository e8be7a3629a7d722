import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JwksCache } from '../keys/jwks-cache.ts';
import {
  DENIAL_CODES,
  KEY_FETCH_RESULTS,
  LIMIT_NAMES,
  SUBSCRIPTION_END_REASONS,
  type DenialCode,
  type KeyFetchResult,
  type LimitName,
  type MetricsRecorder,
  type SubscriptionEndReason,
  type VerificationOutcome,
} from '../telemetry/metrics-recorder.ts';
import { REJECTION_REASONS } from '../verification/token-rejected-error.ts';

export interface ClaimgateMetricsOptions {
  /** Where the metrics are registered. Default: a registry of their own. */
  readonly registry?: Registry | undefined;
  /** The key caches, read when the registry is collected (freshness, keys, readiness). */
  readonly keyCaches: () => readonly JwksCache[];
  /** The clock of the key caches, in milliseconds since the epoch. */
  readonly now?: (() => number) | undefined;
}

/** Upper bounds of the key-fetch latency histogram, in seconds (a fetch times out after 5 s by default). */
const FETCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Cell {
  readonly labels: Record<string, string>;
  count: number;
}

/**
 * claimgate's Prometheus metrics (prom-client), all named `claimgate_*`.
 * Label values come from closed sets, the configured issuers and the
 * schema's coordinates: never from a token or a request, so the number of
 * series is bounded by the configuration and the schema.
 *
 * The per-request counts are plain numbers copied into the registry when it
 * is collected: prom-client hashes the labels on every `inc()`, which the
 * verification path should not pay.
 *
 * @example const metrics = plugin.metrics; res.end(await metrics.registry.metrics())
 */
export class ClaimgateMetrics implements MetricsRecorder {
  /** The registry to expose (`await registry.metrics()`, content type `registry.contentType`). */
  readonly registry: Registry;
  /** [cache miss, cache hit] → reason → count. */
  readonly #verifications: readonly [Record<string, Cell>, Record<string, Cell>];
  readonly #refusals: Record<string, Cell>;
  readonly #denials = new Map<string, Cell>();
  readonly #fetches: Counter<'issuer' | 'result'>;
  readonly #fetchSeconds: Histogram<'issuer'>;
  readonly #subscriptionsOpen: Gauge;
  readonly #subscriptionsEnded: Counter<'reason'>;

  constructor(options: ClaimgateMetricsOptions) {
    const registry = options.registry ?? new Registry();
    if (!(registry instanceof Registry)) throw new TypeError('useClaimgate: metrics.registry must be a prom-client Registry.');
    for (const name of METRIC_NAMES) {
      if (registry.getSingleMetric(name) !== undefined) {
        throw new TypeError(`useClaimgate: the metrics registry already holds ${name}; give each claimgate plugin its own registry (merge them with Registry.merge to expose them together).`);
      }
    }
    this.registry = registry;
    const now = options.now ?? Date.now;
    const registers = [registry];

    const reasons = ['none', ...Object.keys(REJECTION_REASONS), 'keys_unavailable'];
    const verificationTable = (cache: 'hit' | 'miss'): Record<string, Cell> =>
      Object.fromEntries(reasons.map((reason) => [reason, { labels: { outcome: outcomeOf(reason), reason, cache }, count: 0 }]));
    this.#verifications = [verificationTable('miss'), verificationTable('hit')];
    const verifications = this.#verifications;
    new Counter({
      name: 'claimgate_token_verifications_total',
      help: 'Token verifications by outcome (accepted, rejected, unavailable), rejection reason (none when accepted) and whether a cache answered (hit, miss).',
      labelNames: ['outcome', 'reason', 'cache'],
      registers,
      collect() {
        copyCells(this, [...Object.values(verifications[0]), ...Object.values(verifications[1])]);
      },
    });

    this.#refusals = Object.fromEntries(LIMIT_NAMES.map((limit) => [limit, { labels: { limit }, count: 0 }]));
    const refusals = this.#refusals;
    new Counter({
      name: 'claimgate_operations_refused_total',
      help: 'Operations refused by an operation limit, by limit.',
      labelNames: ['limit'],
      registers,
      collect() {
        copyCells(this, Object.values(refusals));
      },
    });

    const denials = this.#denials;
    new Counter({
      name: 'claimgate_authorization_denials_total',
      help: 'Fields and types refused by the authorization directives, by schema coordinate, code (UNAUTHENTICATED, FORBIDDEN) and mode (enforced, or audit for would-be denials).',
      labelNames: ['coordinate', 'code', 'mode'],
      registers,
      collect() {
        copyCells(this, [...denials.values()]);
      },
    });

    this.#fetches = new Counter({
      name: 'claimgate_jwks_fetches_total',
      help: 'Key fetches (discovery included) per configured issuer, by result (ok, http_error, timeout, too_large, invalid, unreachable).',
      labelNames: ['issuer', 'result'],
      registers,
    });
    this.#fetchSeconds = new Histogram({
      name: 'claimgate_jwks_fetch_duration_seconds',
      help: 'Duration of key fetches (discovery included) per configured issuer, in seconds.',
      labelNames: ['issuer'],
      buckets: FETCH_BUCKETS,
      registers,
    });
    const keyCaches = options.keyCaches;
    new Gauge({
      name: 'claimgate_jwks_age_seconds',
      help: 'Seconds since the keys of each configured issuer were last fetched successfully (+Inf before the first success).',
      labelNames: ['issuer'],
      registers,
      collect() {
        const at = now();
        for (const cache of keyCaches()) {
          const loadedAt = cache.loadedAt;
          this.set({ issuer: cache.issuer }, loadedAt === undefined ? Number.POSITIVE_INFINITY : Math.max(0, (at - loadedAt) / 1000));
        }
      },
    });
    new Gauge({
      name: 'claimgate_jwks_keys',
      help: 'Signing keys held per configured issuer.',
      labelNames: ['issuer'],
      registers,
      collect() {
        for (const cache of keyCaches()) this.set({ issuer: cache.issuer }, cache.keyCount);
      },
    });
    new Gauge({
      name: 'claimgate_jwks_ready',
      help: '1 while usable keys are held for the issuer (loaded, and not older than the stale limit), else 0.',
      labelNames: ['issuer'],
      registers,
      collect() {
        for (const cache of keyCaches()) this.set({ issuer: cache.issuer }, cache.ready ? 1 : 0);
      },
    });

    this.#subscriptionsOpen = new Gauge({ name: 'claimgate_subscriptions_open', help: 'Subscriptions streaming now.', registers });
    this.#subscriptionsEnded = new Counter({
      name: 'claimgate_subscriptions_ended_total',
      help: `Subscriptions ended, by reason (${SUBSCRIPTION_END_REASONS.join(', ')}).`,
      labelNames: ['reason'],
      registers,
    });
    for (const reason of SUBSCRIPTION_END_REASONS) this.#subscriptionsEnded.inc({ reason }, 0);
  }

  /** Series for every configured issuer from the start, so dashboards and alerts see zeros rather than gaps. */
  addIssuer(issuer: string): void {
    for (const result of KEY_FETCH_RESULTS) this.#fetches.inc({ issuer, result }, 0);
    this.#fetchSeconds.zero({ issuer });
  }

  tokenVerified(_outcome: VerificationOutcome, reason: string, cacheHit: boolean): void {
    const cell = this.#verifications[cacheHit ? 1 : 0][reason];
    if (cell !== undefined) cell.count++;
  }

  keyFetch(issuer: string, result: KeyFetchResult, seconds: number): void {
    this.#fetches.inc({ issuer, result });
    this.#fetchSeconds.observe({ issuer }, seconds);
  }

  authorizationDecision(coordinate: string, code: DenialCode, options?: { readonly audit?: boolean }): void {
    if (!DENIAL_CODES.includes(code)) return;
    const mode = options?.audit === true ? 'audit' : 'enforced';
    const key = `${mode} ${code} ${coordinate}`;
    let cell = this.#denials.get(key);
    if (cell === undefined) this.#denials.set(key, (cell = { labels: { coordinate, code, mode }, count: 0 }));
    cell.count++;
  }

  operationRefused(limit: LimitName): void {
    const cell = this.#refusals[limit];
    if (cell !== undefined) cell.count++;
  }

  subscriptionOpened(): void {
    this.#subscriptionsOpen.inc();
  }

  subscriptionEnded(reason: SubscriptionEndReason): void {
    this.#subscriptionsOpen.dec();
    if (SUBSCRIPTION_END_REASONS.includes(reason)) this.#subscriptionsEnded.inc({ reason });
  }
}

const METRIC_NAMES = [
  'claimgate_token_verifications_total',
  'claimgate_operations_refused_total',
  'claimgate_authorization_denials_total',
  'claimgate_jwks_fetches_total',
  'claimgate_jwks_fetch_duration_seconds',
  'claimgate_jwks_age_seconds',
  'claimgate_jwks_keys',
  'claimgate_jwks_ready',
  'claimgate_subscriptions_open',
  'claimgate_subscriptions_ended_total',
];

function outcomeOf(reason: string): VerificationOutcome {
  return reason === 'none' ? 'accepted' : reason === 'keys_unavailable' ? 'unavailable' : 'rejected';
}

/** Replaces a counter's values with the cells' counts (at collect time). */
function copyCells(counter: Counter<string>, cells: readonly Cell[]): void {
  counter.reset();
  for (const cell of cells) counter.inc(cell.labels, cell.count);
}
