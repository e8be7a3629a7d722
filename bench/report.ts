import type { BenchConfig } from './bench-config.ts';
import type { LoadResult } from './load.ts';
import type { Scenario } from './scenarios.ts';
import { renderNewTokenProfile, type NewTokenProfile } from './profile-s3.ts';
import { CEILING, CLAIMGATE, OBSERVABILITY_OFF, OBSERVABILITY_ON, YOGA_DEFAULT, type ServerSpec } from './servers/catalog.ts';

export interface ScenarioResult extends LoadResult {
  /** The server process's CPU time (all threads) over the timed run, divided by requests, in µs. */
  readonly serverCpuMicrosPerRequest: number | undefined;
}

/** One server process's life: one round over every scenario. */
export interface ServerRun {
  readonly results: ReadonlyMap<string, ScenarioResult>;
  /** JWKS requests the issuer served while this process lived. */
  readonly jwksFetches: number;
  /** VmRSS around s3, in kB. */
  readonly rssBeforeS3Kb: number | undefined;
  readonly rssAfterS3Kb: number | undefined;
}

export interface ServerOutcome {
  readonly spec: ServerSpec;
  readonly runs: readonly ServerRun[];
  /** Why the server was not timed (failed start or correctness check); its numbers are never shown. */
  readonly excluded: string | undefined;
}

export interface BenchReport {
  readonly config: BenchConfig;
  readonly scenarios: readonly Scenario[];
  readonly outcomes: readonly ServerOutcome[];
  readonly versions: Readonly<Record<string, string>>;
  readonly machine: string;
  readonly pinned: boolean;
  readonly startedAt: Date;
  /** The profiled s2/s3 pass of claimgate, or why there is none. */
  readonly newTokenProfile: NewTokenProfile | string | undefined;
}

/** Ratio targets against the ceiling (issue 14), and s3's CPU allowance over s2, in µs. */
const RATIO_TARGETS: Readonly<Record<string, number>> = { s1: 0.9, s2: 0.9, s4: 1.0, s5: 0.85 };
const NEW_TOKEN_ALLOWANCE_US = 60;

/** The whole report as markdown: throughput table, per-process table, setup. */
export function renderReport(report: BenchReport): string {
  const timed = report.outcomes.filter((outcome) => outcome.excluded === undefined && outcome.runs.length > 0);
  const medianRps = (spec: ServerSpec, scenarioId: string) => {
    const outcome = timed.find((candidate) => candidate.spec === spec);
    return outcome === undefined ? undefined : median(values(outcome, scenarioId, (r) => r.requestsPerSecond));
  };

  const lines = [
    `# claimgate bench, ${report.startedAt.toISOString()}`,
    '',
    `${report.config.connections} connections; per server process a ${report.config.warmupSeconds} s warm-up of every scenario, ` +
      `then per scenario ${report.config.warmupSeconds} s warm-up + ${report.config.durationSeconds} s timed; ` +
      `${report.config.rounds} rounds alternating between servers (each round a fresh server process); ` +
      `req/s is the median of rounds, "rounds" lists each; s3 cycles through ${report.config.poolSize} distinct tokens. ${report.machine}; ` +
      (report.pinned ? 'server pinned to core 0, load generator to core 1 (taskset).' : 'no CPU pinning (taskset or a second core missing).'),
    '',
    '"server CPU µs/req" is the server process\'s CPU time (all threads) over the timed run divided by its requests: ' +
      'it moves less than req/s when something else runs on the machine; when the rounds of one server disagree, trust it more. ' +
      `The ceiling is ${CEILING.id}: graphql-yoga with claimgate's server settings and no auth, so "× yoga-tuned" is the cost of auth alone. ` +
      `"× yoga default" is against ${YOGA_DEFAULT.id}, what a Yoga user gets out of the box. The floor (node:http + graphql-js) is what ` +
      'any server on this schema must spend; apollo (no auth) is the ceiling for apollo + graphql-shield.',
    '',
    '| scenario | server | req/s | rounds | × yoga-tuned | × yoga default | server CPU µs/req | p99 ms | non-2xx / requests |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const scenario of report.scenarios) {
    const ceiling = medianRps(CEILING, scenario.id);
    const yogaDefault = medianRps(YOGA_DEFAULT, scenario.id);
    for (const outcome of timed) {
      const rps = median(values(outcome, scenario.id, (r) => r.requestsPerSecond));
      if (rps === undefined) continue;
      const rounds = values(outcome, scenario.id, (r) => r.requestsPerSecond).map((v) => v.toFixed(0)).join(' / ');
      const non2xx = sum(values(outcome, scenario.id, (r) => r.non2xx));
      const total = sum(values(outcome, scenario.id, (r) => r.total));
      const p99 = median(values(outcome, scenario.id, (r) => r.p99Ms));
      const cpu = median(values(outcome, scenario.id, (r) => r.serverCpuMicrosPerRequest ?? Number.NaN).filter((v) => !Number.isNaN(v)));
      lines.push(
        `| ${scenario.id} | ${outcome.spec.id} | ${rps.toFixed(0)} | ${rounds} | ${ratio(rps, ceiling)} | ${ratio(rps, yogaDefault)} | ` +
          `${cpu?.toFixed(0) ?? '–'} | ${p99?.toFixed(0) ?? '–'} | ${non2xx} / ${total} |`,
      );
    }
  }

  lines.push('', ...renderTargets(timed, report.scenarios));
  lines.push('', ...renderObservabilityCost(timed, report.scenarios));
  if (typeof report.newTokenProfile === 'string') lines.push('', `No s3 profile: ${report.newTokenProfile}`);
  else if (report.newTokenProfile !== undefined) lines.push('', renderNewTokenProfile(report.newTokenProfile));

  lines.push('', 'Scenarios:', '');
  for (const scenario of report.scenarios) lines.push(`- ${scenario.id}: ${scenario.title}`);

  lines.push(
    '',
    'Per server process (one value per round). RSS is VmRSS, read before the first pool token reaches the server ' +
      'and again at the end of s3 (its warm-up included).',
  );
  lines.push('', '| server | JWKS fetches per process | RSS before s3 | RSS after s3 | status |', '| --- | --- | --- | --- | --- |');
  for (const outcome of report.outcomes) {
    const perRun = (pick: (run: ServerRun) => string) => outcome.runs.map(pick).join(' / ') || '–';
    lines.push(
      `| ${outcome.spec.id} | ${perRun((run) => String(run.jwksFetches))} | ${perRun((run) => mb(run.rssBeforeS3Kb))} | ` +
        `${perRun((run) => mb(run.rssAfterS3Kb))} | ${outcome.excluded === undefined ? 'timed' : `**excluded**: ${oneLine(outcome.excluded)}`} |`,
    );
  }

  for (const outcome of report.outcomes) {
    if (outcome.excluded !== undefined) lines.push('', `${outcome.spec.id} was excluded:`, '', '```', outcome.excluded, '```');
  }

  lines.push('', 'Versions: ' + Object.entries(report.versions).map(([name, version]) => `${name} ${version}`).join(', ') + '.', '');
  return lines.join('\n');
}

/** claimgate's targets, met or not, from the medians above. */
function renderTargets(timed: readonly ServerOutcome[], scenarios: readonly Scenario[]): string[] {
  const of = (spec: ServerSpec) => timed.find((outcome) => outcome.spec === spec);
  const claimgate = of(CLAIMGATE);
  const ceiling = of(CEILING);
  if (claimgate === undefined || ceiling === undefined) return ['Targets: not judged (claimgate or the ceiling was not timed).'];
  const rps = (outcome: ServerOutcome, id: string) => median(values(outcome, id, (r) => r.requestsPerSecond));
  const cpu = (id: string) => median(values(claimgate, id, (r) => r.serverCpuMicrosPerRequest ?? Number.NaN).filter((v) => !Number.isNaN(v)));
  const lines = ['Targets for claimgate (`npm start`):', '', '| target | measured | met |', '| --- | ---: | --- |'];
  for (const scenario of scenarios) {
    const target = RATIO_TARGETS[scenario.id];
    if (target === undefined) continue;
    const ours = rps(claimgate, scenario.id);
    const theirs = rps(ceiling, scenario.id);
    const measured = ours === undefined || theirs === undefined || theirs === 0 ? undefined : ours / theirs;
    lines.push(`| ${scenario.id} × yoga-tuned ≥ ${target.toFixed(2)} | ${measured?.toFixed(2) ?? '–'} | ${measured === undefined ? '–' : measured >= target ? 'yes' : '**no**'} |`);
  }
  const cached = cpu('s2');
  const fresh = cpu('s3');
  const extra = cached === undefined || fresh === undefined ? undefined : fresh - cached;
  lines.push(
    `| s3 CPU ≤ s2 CPU + ${NEW_TOKEN_ALLOWANCE_US} µs | s2 ${cached?.toFixed(0) ?? '–'}, s3 ${fresh?.toFixed(0) ?? '–'} (+${extra?.toFixed(0) ?? '–'} µs) | ` +
      `${extra === undefined ? '–' : extra <= NEW_TOKEN_ALLOWANCE_US ? 'yes' : '**no**'} |`,
  );
  return lines;
}

/** Issue 12: metrics and spans on (an OTel SDK recording every span) against off, server CPU per request; target ≤ 1.05. */
function renderObservabilityCost(timed: readonly ServerOutcome[], scenarios: readonly Scenario[]): string[] {
  const on = timed.find((outcome) => outcome.spec === OBSERVABILITY_ON);
  const off = timed.find((outcome) => outcome.spec === OBSERVABILITY_OFF);
  if (on === undefined || off === undefined) return ['Observability cost: not measured (obs-on and obs-off were not both timed).'];
  const cpu = (outcome: ServerOutcome, id: string) => values(outcome, id, (r) => r.serverCpuMicrosPerRequest ?? Number.NaN).filter((v) => !Number.isNaN(v));
  const lines = [
    'Observability cost (issue 12): server CPU µs per request with metrics and spans on ÷ off, same plugin server; target ≤ 1.05.',
    '',
    '| scenario | off µs/req (rounds) | on µs/req (rounds) | on ÷ off (medians) | met |',
    '| --- | --- | --- | ---: | --- |',
  ];
  for (const scenario of scenarios) {
    const offValues = cpu(off, scenario.id);
    const onValues = cpu(on, scenario.id);
    const offMedian = median(offValues);
    const onMedian = median(onValues);
    const measured = offMedian === undefined || onMedian === undefined || offMedian === 0 ? undefined : onMedian / offMedian;
    lines.push(
      `| ${scenario.id} | ${offValues.map((v) => v.toFixed(0)).join(' / ') || '–'} | ${onValues.map((v) => v.toFixed(0)).join(' / ') || '–'} | ` +
        `${measured?.toFixed(3) ?? '–'} | ${measured === undefined ? '–' : measured <= 1.05 ? 'yes' : '**no**'} |`,
    );
  }
  return lines;
}

function values(outcome: ServerOutcome, scenarioId: string, pick: (result: ScenarioResult) => number): number[] {
  return outcome.runs.flatMap((run) => {
    const result = run.results.get(scenarioId);
    return result === undefined ? [] : [pick(result)];
  });
}

function median(list: readonly number[]): number | undefined {
  if (list.length === 0) return undefined;
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function sum(list: readonly number[]): number {
  return list.reduce((total, value) => total + value, 0);
}

function ratio(value: number, reference: number | undefined): string {
  return reference === undefined || reference === 0 ? '–' : `${(value / reference).toFixed(2)}`;
}

function mb(kb: number | undefined): string {
  return kb === undefined ? '–' : `${(kb / 1024).toFixed(0)} MB`;
}

function oneLine(text: string): string {
  return text.split('\n')[0]?.replaceAll('|', '\\|').slice(0, 200) ?? '';
}
