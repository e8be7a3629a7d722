import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { CATEGORIES, readCpuProfile, type CategoryMicros } from './cpu-profile.ts';
import type { LoadGenerator, LoadRequest } from './load.ts';
import type { Scenario } from './scenarios.ts';
import { startServer, type StartOptions, type ThreadCpu } from './server-process.ts';
import type { ServerSpec } from './servers/catalog.ts';

/** Where one scenario's server CPU went, per request, in µs. */
export interface ScenarioProfile {
  readonly scenarioId: string;
  readonly requests: number;
  /** Sampled main-thread time by category (the profile), per request. */
  readonly sampled: CategoryMicros;
  /** /proc CPU time per thread group, per request. */
  readonly threads: ThreadCpu;
}

/** s2 (cached token) and s3 (a new token each request) of one profiled claimgate process. */
export interface NewTokenProfile {
  readonly serverId: string;
  readonly cached: ScenarioProfile;
  readonly fresh: ScenarioProfile;
  /** The .cpuprofile read, relative to the repository. */
  readonly profilePath: string;
}

export interface ProfileOptions {
  readonly spec: ServerSpec;
  readonly start: StartOptions;
  readonly load: LoadGenerator;
  readonly scenarios: { readonly warmUp: readonly Scenario[]; readonly cached: Scenario; readonly fresh: Scenario };
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Folder for the .cpuprofile (emptied first). */
  readonly profileDir: URL;
  readonly repoRoot: string;
}

const SAMPLE_INTERVAL_US = 250;

/**
 * Runs one extra server process under `node --cpu-prof`, times s2 then s3 in
 * it, and splits each one's CPU per request: the main thread by profile
 * category, and every thread group from /proc (WebCrypto verifies on libuv's
 * pool, which the profile cannot see). The profiler costs CPU itself: compare
 * the two scenarios with each other, not with the untouched table.
 */
export async function profileNewTokens(options: ProfileOptions): Promise<NewTokenProfile> {
  rmSync(options.profileDir, { recursive: true, force: true });
  mkdirSync(options.profileDir, { recursive: true });
  const dir = options.profileDir.pathname;
  const server = await startServer(options.spec, {
    ...options.start,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-interval=${SAMPLE_INTERVAL_US}`],
  });
  const windows: { scenarioId: string; from: number; to: number; requests: number; threads: ThreadCpu }[] = [];
  try {
    const requestOf = (scenario: Scenario, durationSeconds: number): LoadRequest => ({
      url: server.graphqlUrl,
      query: scenario.query,
      tokens: scenario.tokens,
      connections: options.connections,
      durationSeconds,
    });
    for (const scenario of options.scenarios.warmUp) await options.load.run(requestOf(scenario, Math.max(options.warmupSeconds, 1)));
    for (const scenario of [options.scenarios.cached, options.scenarios.fresh]) {
      if (options.warmupSeconds > 0) await options.load.run(requestOf(scenario, options.warmupSeconds));
      const before = server.threadCpuSeconds();
      const from = monotonicMicros();
      const result = await options.load.run(requestOf(scenario, options.durationSeconds));
      const to = monotonicMicros();
      const after = server.threadCpuSeconds();
      if (before === undefined || after === undefined) throw new Error('/proc/<pid>/task is not readable: no thread breakdown.');
      windows.push({ scenarioId: scenario.id, from, to, requests: result.total, threads: subtract(after, before) });
    }
  } finally {
    await server.stop();
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`${options.spec.id} wrote no .cpuprofile into ${dir} (did it exit through process.exit?).`);
  const sampledBetween = readCpuProfile(`${dir}/${file}`);
  const [cached, fresh] = windows.map(({ scenarioId, from, to, requests, threads }) => ({
    scenarioId,
    requests,
    sampled: perRequest(sampledBetween(from, to), requests),
    threads: { main: (threads.main * 1e6) / requests, workers: (threads.workers * 1e6) / requests },
  }));
  return {
    serverId: options.spec.id,
    cached: cached!,
    fresh: fresh!,
    profilePath: `${dir.slice(options.repoRoot.length)}${file}`,
  };
}

/** The s3 breakdown as markdown: per category and thread, s2 and s3 side by side. */
export function renderNewTokenProfile(profile: NewTokenProfile): string {
  const { cached, fresh } = profile;
  const row = (label: string, a: number, b: number) => `| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b - a).toFixed(1)} |`;
  const sum = (values: CategoryMicros) => CATEGORIES.reduce((total, category) => total + values[category], 0);
  const threadTotal = (t: ThreadCpu) => t.main + t.workers;
  return [
    `Where a new token's CPU goes: ${profile.serverId} under \`node --cpu-prof\` (${SAMPLE_INTERVAL_US} µs sampling), ` +
      `${cached.scenarioId} (${cached.requests} requests) against ${fresh.scenarioId} (${fresh.requests} requests), µs per request. ` +
      'The main thread is split by the innermost stack frame that belongs to a category: verify = jose, node:crypto, ' +
      'token-verifier / token-shape / jwks-cache; cache = token-cache; principal = principal / claim-path; log = log.ts; ' +
      'gc = V8\'s "(garbage collector)" samples; other = Yoga, graphql-js, node:http and the rest. ' +
      'Threads come from /proc/<pid>/task: WebCrypto runs its RSA operation on libuv\'s pool, which the profile does not see; ' +
      'sampled main-thread time also counts moments the thread waited for the core (server and pool share core 0). ' +
      `The profiler adds CPU of its own; read the difference column. Profile: \`${profile.profilePath}\` (not committed).`,
    '',
    `| µs per request | ${cached.scenarioId} | ${fresh.scenarioId} | difference |`,
    '| --- | ---: | ---: | ---: |',
    ...CATEGORIES.map((category) => row(`main thread, sampled: ${category}`, cached.sampled[category], fresh.sampled[category])),
    row('main thread, sampled: total', sum(cached.sampled), sum(fresh.sampled)),
    row('main thread (/proc)', cached.threads.main, fresh.threads.main),
    row('other threads: libuv pool (WebCrypto RSA), V8 GC and compiler (/proc)', cached.threads.workers, fresh.threads.workers),
    row('process total (/proc)', threadTotal(cached.threads), threadTotal(fresh.threads)),
    '',
  ].join('\n');
}

function perRequest(values: CategoryMicros, requests: number): CategoryMicros {
  return Object.fromEntries(CATEGORIES.map((category) => [category, requests === 0 ? 0 : values[category] / requests])) as CategoryMicros;
}

function subtract(a: ThreadCpu, b: ThreadCpu): ThreadCpu {
  return { main: a.main - b.main, workers: a.workers - b.workers };
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
