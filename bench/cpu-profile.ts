import { readFileSync } from 'node:fs';

/** Where a sample's time goes: the innermost frame of its stack that belongs to one of these. */
export const CATEGORIES = ['verify', 'cache', 'principal', 'log', 'gc', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

/** The JSON that `node --cpu-prof` writes. Times in µs of the monotonic clock (process.hrtime's). */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Sampled main-thread time per category, in µs, between two monotonic instants. */
export type CategoryMicros = Readonly<Record<Category, number>>;

/**
 * Reads a `.cpuprofile` once and answers, for any window of monotonic time
 * (µs, as `process.hrtime.bigint() / 1000n` in any process of this machine),
 * how much sampled main-thread time each category took. Idle samples are left out.
 */
export function readCpuProfile(path: string): (fromMicros: number, toMicros: number) => CategoryMicros {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const category = new Map<number, Category | 'idle'>();
  const categoryOf = (id: number): Category | 'idle' => {
    const known = category.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const own = frameCategory(node.callFrame);
    const up = parent.get(id);
    const result = own ?? (up === undefined ? 'other' : categoryOf(up));
    category.set(id, result);
    return result;
  };

  // A sample's time is the gap to the next one (the last gets none).
  const stamps: number[] = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) stamps.push((at += delta));

  return (fromMicros, toMicros) => {
    const totals: Record<Category, number> = { verify: 0, cache: 0, principal: 0, log: 0, gc: 0, other: 0 };
    for (let i = 0; i + 1 < profile.samples.length; i += 1) {
      const stamp = stamps[i]!;
      if (stamp < fromMicros || stamp >= toMicros) continue;
      const kind = categoryOf(profile.samples[i]!);
      if (kind !== 'idle') totals[kind] += stamps[i + 1]! - stamp;
    }
    return totals;
  };
}

function frameCategory({ functionName, url }: ProfileNode['callFrame']): Category | 'idle' | undefined {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (url.includes('/node_modules/jose/') || url.startsWith('node:internal/crypto') || /\/src\/(verification\/token-(verifier|shape)|keys\/jwks-cache)\.ts$/.test(url)) {
    return 'verify';
  }
  if (url.endsWith('/src/verification/token-cache.ts')) return 'cache';
  if (/\/src\/(principal|verification\/claim-path)\.ts$/.test(url)) return 'principal';
  if (url.endsWith('/src/telemetry/log.ts')) return 'log';
  return undefined;
}
