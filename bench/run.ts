// `npm run bench`: claimgate against the same API with no auth (the ceiling)
// and against what Yoga and Apollo users run today, on this machine, now.
// A benchmark informs; it never fails a build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadBenchConfig } from './bench-config.ts';
import { checkCorrectness } from './correctness.ts';
import { startIssuer } from './issuer.ts';
import { startLoadGenerator } from './load.ts';
import { renderReport, type ScenarioResult, type ServerRun } from './report.ts';
import { SCENARIOS, type Scenario } from './scenarios.ts';
import { startServer } from './server-process.ts';
import { ALL_SERVERS, CLAIMGATE, type ServerSpec } from './servers/catalog.ts';
import { profileNewTokens, type NewTokenProfile } from './profile-s3.ts';
import { BENCH_AUDIENCE, mintTokens } from './tokens.ts';

const ROOT = new URL('..', import.meta.url);
const RESULTS = new URL('results/latest.md', import.meta.url);
const PROFILE_DIR = new URL('results/profile/', import.meta.url);
const VERSIONED = ['graphql-yoga', 'jose', 'graphql', '@graphql-yoga/plugin-jwt', '@envelop/generic-auth', '@apollo/server', 'graphql-shield', 'autocannon'];
const INVALID_TOKENS = 200;
const SERVER_CORE = 0;
const LOAD_CORE = 1;

const config = loadBenchConfig(process.env);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
// This process moves to core 1 beside the load generator, so the server has core 0 to itself.
const pinned =
  availableParallelism() >= 2 && spawnSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)]).status === 0;
const startedAt = new Date();

const issuer = await startIssuer();
log(`minting ${config.poolSize} tokens...`);
const tokens = await mintTokens(issuer, { poolSize: config.poolSize, invalidCount: INVALID_TOKENS });
const load = await startLoadGenerator(tokens, pinned ? LOAD_CORE : undefined);
const serverEnv = {
  AUTH_ISSUER: issuer.url,
  AUTH_AUDIENCE: BENCH_AUDIENCE,
  AUTH_JWKS_URI: issuer.jwksUri,
  // What a deployment runs with; it also turns off development-only behaviour in Yoga and Apollo.
  NODE_ENV: 'production',
};

const selected = ALL_SERVERS.filter((spec) => config.servers.length === 0 || config.servers.includes(spec.key));
const outcomes = selected.map((spec) => ({
  spec,
  runs: [] as ServerRun[],
  excluded: existsSync(new URL(spec.entry, ROOT)) ? undefined : `${spec.entry} does not exist.`,
}));

let newTokenProfile: NewTokenProfile | string | undefined;
try {
  for (let round = 0; round < config.rounds; round += 1) {
    // Each round starts with a different server, so warm-machine drift does not favour one.
    const start = round % outcomes.length;
    for (const outcome of [...outcomes.slice(start), ...outcomes.slice(0, start)]) {
      if (outcome.excluded !== undefined) continue;
      log(`round ${round + 1}/${config.rounds}: ${outcome.spec.id}`);
      try {
        outcome.runs.push(await runServer(outcome.spec));
      } catch (error) {
        outcome.excluded = (error as Error).message;
        log(`${outcome.spec.id} excluded: ${outcome.excluded}`);
      }
    }
  }
  // One more claimgate process, under the profiler: where s3's extra CPU over s2 goes.
  if (outcomes.some((outcome) => outcome.spec === CLAIMGATE && outcome.excluded === undefined)) {
    log('profiling claimgate s2 and s3...');
    newTokenProfile = await profileClaimgate().catch((error: unknown) => (error as Error).message);
  }
} finally {
  load.close();
  await issuer.close();
}

const markdown = renderReport({
  config,
  scenarios: [...SCENARIOS].sort((a, b) => a.id.localeCompare(b.id)),
  outcomes,
  versions: { node: process.version, ...Object.fromEntries(VERSIONED.map((name) => [name, packageVersion(name)])) },
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
  pinned,
  startedAt,
  newTokenProfile,
});
mkdirSync(new URL('.', RESULTS), { recursive: true });
writeFileSync(RESULTS, markdown);
process.stdout.write(markdown);

/** One fresh server process: correctness check, then every scenario. Throws to exclude the server. */
async function runServer(spec: ServerSpec): Promise<ServerRun> {
  const fetchesBefore = issuer.jwksFetches();
  const server = await startServer(spec, {
    repoRoot: fileURLToPath(ROOT),
    env: serverEnv,
    core: pinned ? SERVER_CORE : undefined,
    readyTimeoutMs: 30_000,
  });
  let run: Omit<ServerRun, 'jwksFetches'>;
  try {
    const failures = await checkCorrectness(server.graphqlUrl, spec.enforcesAuth, tokens);
    if (failures.length > 0) throw new Error(`failed the correctness check:\n${failures.join('\n')}`);
    const results = new Map<string, ScenarioResult>();
    let rssBeforeS3Kb: number | undefined;
    let rssAfterS3Kb: number | undefined;
    const requestOf = (scenario: Scenario) => ({
      url: server.graphqlUrl,
      query: scenario.query,
      tokens: scenario.tokens,
      connections: config.connections,
    });
    // A fresh process pinned to one core needs several seconds of load before V8 has optimised
    // its hot paths: one pass over the scenarios first, so s1 is not timed on a cold JIT. The pool
    // is left out, so the RSS read before s3 is that of a process that has seen no pool token.
    if (config.warmupSeconds > 0) {
      for (const scenario of SCENARIOS.filter((candidate) => candidate.tokens !== 'pool')) {
        await load.run({ ...requestOf(scenario), durationSeconds: config.warmupSeconds });
      }
    }
    for (const scenario of SCENARIOS) {
      const request = requestOf(scenario);
      if (scenario.tokens === 'pool') rssBeforeS3Kb = server.rssKb();
      if (config.warmupSeconds > 0) await load.run({ ...request, durationSeconds: config.warmupSeconds });
      const cpuBefore = server.cpuSeconds();
      const result = await load.run({ ...request, durationSeconds: config.durationSeconds });
      const cpuAfter = server.cpuSeconds();
      if (scenario.tokens === 'pool') rssAfterS3Kb = server.rssKb();
      if (result.errors > 0 || result.timeouts > 0) log(`${spec.id} ${scenario.id}: ${result.errors} errors, ${result.timeouts} timeouts`);
      const serverCpuMicrosPerRequest =
        cpuBefore === undefined || cpuAfter === undefined || result.total === 0
          ? undefined
          : ((cpuAfter - cpuBefore) * 1e6) / result.total;
      results.set(scenario.id, { ...result, serverCpuMicrosPerRequest });
    }
    run = { results, rssBeforeS3Kb, rssAfterS3Kb };
  } finally {
    await server.stop();
  }
  // Counted after the process is gone, so a late background refresh is not missed.
  return { ...run, jwksFetches: issuer.jwksFetches() - fetchesBefore };
}

function profileClaimgate(): Promise<NewTokenProfile> {
  const scenario = (id: string) => SCENARIOS.find((candidate) => candidate.id === id)!;
  return profileNewTokens({
    spec: CLAIMGATE,
    start: { repoRoot: fileURLToPath(ROOT), env: serverEnv, core: pinned ? SERVER_CORE : undefined, readyTimeoutMs: 30_000 },
    load,
    scenarios: { warmUp: SCENARIOS.filter((candidate) => candidate.tokens !== 'pool'), cached: scenario('s2'), fresh: scenario('s3') },
    connections: config.connections,
    warmupSeconds: config.warmupSeconds,
    durationSeconds: config.durationSeconds,
    profileDir: PROFILE_DIR,
    repoRoot: fileURLToPath(ROOT),
  });
}

function packageVersion(name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, ROOT), 'utf8'));
    return String((manifest as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'not installed';
  }
}
