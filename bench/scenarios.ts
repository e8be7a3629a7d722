/** Which Authorization header each request of a scenario carries. */
export type TokenPlan =
  | 'none'
  /** The same token every time: a cache may serve it after the first request. */
  | 'hot'
  /** The next token of the distinct-token pool (BENCH_POOL_SIZE) on every request. */
  | 'pool'
  /** The hot token, except every tenth request carries the next invalid token. */
  | 'hot-with-invalid';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly query: string;
  readonly tokens: TokenPlan;
}

/**
 * In the order they run. s5 runs right after s2, which it is compared with,
 * and s3 runs last: its 20,000 distinct tokens fill the verified-token cache,
 * and the larger heap makes every later request pay more garbage collection.
 */
export const SCENARIOS: readonly Scenario[] = [
  { id: 's1', title: 'anonymous `{ publicInfo }`', query: '{ publicInfo }', tokens: 'none' },
  { id: 's2', title: '`{ me { sub roles } }`, one hot token', query: '{ me { sub roles } }', tokens: 'hot' },
  { id: 's5', title: 's2 with 10 % invalid tokens (401 expected)', query: '{ me { sub roles } }', tokens: 'hot-with-invalid' },
  {
    id: 's4',
    title: '`{ documents(limit: 1000) { id title } }`, hot token (2,000 role-checked fields)',
    query: '{ documents(limit: 1000) { id title } }',
    tokens: 'hot',
  },
  { id: 's3', title: '`{ me { sub roles } }`, the next distinct valid token on every request', query: '{ me { sub roles } }', tokens: 'pool' },
];
