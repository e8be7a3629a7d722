// Issue 12's bar: metrics and spans on must cost ≤ 5 % CPU per request
// against the same server with them off. The servers run side by side (both
// warm, both on the server core) and take the load in short alternating
// bursts, so a busy machine's drift hits them alike; each burst's cost is the
// server process's own CPU time (/proc) over the requests it answered.
//
//   node --import tsx bench/observability-ab.ts      (BENCH_AB_PAIRS, BENCH_AB_BURST, BENCH_AB_SCENARIOS=s3,s5)
import { availableParallelism } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startIssuer } from './issuer.ts';
import { startLoadGenerator } from './load.ts';
import { SCENARIOS } from './scenarios.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import { OBSERVABILITY_OFF, OBSERVABILITY_ON, OBSERVABILITY_ON_ALS, type ServerSpec } from './servers/catalog.ts';
import { BENCH_AUDIENCE, mintTokens } from './tokens.ts';

const ROOT = new URL('..', import.meta.url);
const PAIRS = Number(process.env.BENCH_AB_PAIRS ?? 8);
const BURST_SECONDS = Number(process.env.BENCH_AB_BURST ?? 2);
const ONLY = (process.env.BENCH_AB_SCENARIOS ?? '').split(',').filter((id) => id !== '');
const SERVER_CORE = 0;
const LOAD_CORE = 1;
const log = (message: string) => process.stderr.write(`[ab] ${message}\n`);

const pinned = availableParallelism() >= 2 && spawnSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)]).status === 0;
const issuer = await startIssuer();
const tokens = await mintTokens(issuer, { poolSize: 20_000, invalidCount: 100 });
const load = await startLoadGenerator(tokens, pinned ? LOAD_CORE : undefined);
const env = { AUTH_ISSUER: issuer.url, AUTH_AUDIENCE: BENCH_AUDIENCE, AUTH_JWKS_URI: issuer.jwksUri, NODE_ENV: 'production' };
const specs: readonly ServerSpec[] = [OBSERVABILITY_OFF, OBSERVABILITY_ON, OBSERVABILITY_ON_ALS];
const servers = new Map<ServerSpec, ServerProcess>();
for (const spec of specs) {
  servers.set(spec, await startServer(spec, { repoRoot: fileURLToPath(ROOT), env, core: pinned ? SERVER_CORE : undefined, readyTimeoutMs: 30_000 }));
}

/** CPU µs and requests per server, summed over the bursts. */
type Tally = Map<ServerSpec, { cpuMicros: number; requests: number; perBurst: number[] }>;
const lines = [
  `# metrics and spans: on ÷ off, ${new Date().toISOString()}`,
  '',
  `${PAIRS} rounds of ${BURST_SECONDS} s bursts per scenario and server, the servers alternating (order rotated each round), ` +
    `10 connections; ${pinned ? 'servers on core 0, load on core 1' : 'no CPU pinning'}. Cost = the server's CPU time over the requests it answered. ` +
    `"on": metrics and an OTel SDK recording every claimgate span (batched to an exporter that drops them); ` +
    `"on + ALS": the same with OTel's AsyncLocalStorage context manager, which an application registers for its own spans.`,
  '',
  '| scenario | off µs/req | on µs/req | on ÷ off | on + ALS µs/req | on + ALS ÷ off | on ÷ off, per-round median |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
try {
  for (const scenario of SCENARIOS.filter((candidate) => ONLY.length === 0 || ONLY.includes(candidate.id))) {
    const tally: Tally = new Map(specs.map((spec) => [spec, { cpuMicros: 0, requests: 0, perBurst: [] }]));
    const burst = async (spec: ServerSpec, count: boolean) => {
      const server = servers.get(spec)!;
      const before = server.cpuSeconds();
      const result = await load.run({ url: server.graphqlUrl, query: scenario.query, tokens: scenario.tokens, connections: 10, durationSeconds: BURST_SECONDS });
      const after = server.cpuSeconds();
      if (!count || before === undefined || after === undefined || result.total === 0) return;
      const entry = tally.get(spec)!;
      entry.cpuMicros += (after - before) * 1e6;
      entry.requests += result.total;
      entry.perBurst.push(((after - before) * 1e6) / result.total);
    };
    for (const spec of specs) await burst(spec, false);
    for (let round = 0; round < PAIRS; round++) {
      const order = [...specs.slice(round % specs.length), ...specs.slice(0, round % specs.length)];
      for (const spec of order) await burst(spec, true);
    }
    const cost = (spec: ServerSpec) => tally.get(spec)!.cpuMicros / tally.get(spec)!.requests;
    const off = cost(OBSERVABILITY_OFF);
    const on = cost(OBSERVABILITY_ON);
    const als = cost(OBSERVABILITY_ON_ALS);
    const offBursts = tally.get(OBSERVABILITY_OFF)!.perBurst;
    const perRound = tally.get(OBSERVABILITY_ON)!.perBurst.map((value, i) => value / offBursts[i]!).sort((a, b) => a - b);
    const line = `| ${scenario.id} | ${off.toFixed(0)} | ${on.toFixed(0)} | ${(on / off).toFixed(3)} | ${als.toFixed(0)} | ${(als / off).toFixed(3)} | ${perRound[Math.floor(perRound.length / 2)]?.toFixed(3)} |`;
    log(line);
    lines.push(line);
  }
} finally {
  for (const server of servers.values()) await server.stop();
  load.close();
  await issuer.close();
}
process.stdout.write(`${lines.join('\n')}\n`);
