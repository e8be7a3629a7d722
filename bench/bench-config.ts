/** Every knob of `npm run bench`, fully defaulted. */
export interface BenchConfig {
  /** Timed load per scenario and server, in seconds (BENCH_DURATION, default 4). */
  readonly durationSeconds: number;
  /** Discarded load before each timed run, in seconds (BENCH_WARMUP, default 2). */
  readonly warmupSeconds: number;
  /** Concurrent connections (BENCH_CONNECTIONS, default 10). */
  readonly connections: number;
  /** Rounds over all servers; the table shows the median (BENCH_ROUNDS, default 2). */
  readonly rounds: number;
  /** Distinct valid tokens for s3 (BENCH_POOL_SIZE, default 20000). */
  readonly poolSize: number;
  /** Server keys to run, or every server when empty (BENCH_SERVERS, e.g. `claimgate,yoga`). */
  readonly servers: readonly string[];
}

/** Reads the bench's environment variables; throws naming the variable on a bad value. */
export function loadBenchConfig(env: Readonly<Record<string, string | undefined>>): BenchConfig {
  return Object.freeze({
    durationSeconds: positive(env, 'BENCH_DURATION', 4),
    warmupSeconds: positive(env, 'BENCH_WARMUP', 2, true),
    connections: positive(env, 'BENCH_CONNECTIONS', 10),
    rounds: positive(env, 'BENCH_ROUNDS', 2),
    poolSize: positive(env, 'BENCH_POOL_SIZE', 20_000),
    servers: Object.freeze((env['BENCH_SERVERS'] ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '')),
  });
}

function positive(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, zeroAllowed = false): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new TypeError(`${name} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number; got "${raw}".`);
  }
  return value;
}
