// `npm run test:mutation [-- <module>...] [--concurrency N] [--incremental] [--ignore-static]`:
// StrykerJS mutates the security-critical modules one at a time and runs the
// module's targeted test files (node:test, through tsx) against each mutant.
// Prints, per module, the score: killed / (killed + survived + no coverage),
// timeouts counting as killed, and lists every survivor.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Stryker } from '@stryker-mutator/core';
import type { LogLevel, PartialStrykerOptions } from '@stryker-mutator/api/core';
import { MUTATION_MODULES } from './modules.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    concurrency: { type: 'string', default: '2' },
    incremental: { type: 'boolean', default: false },
    /** Skips mutants that run only at module load (each needs every test file and a fresh process). */
    'ignore-static': { type: 'boolean', default: false },
    /** Narrows the run to these files (Stryker's `file.ts:line-line` ranges work too). */
    mutate: { type: 'string', multiple: true },
  },
});

const names = positionals.length === 0 ? Object.keys(MUTATION_MODULES) : positionals;
for (const name of names) {
  if (!(name in MUTATION_MODULES)) {
    process.stderr.write(`Unknown module "${name}"; one of: ${Object.keys(MUTATION_MODULES).join(', ')}\n`);
    process.exit(2);
  }
}
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 2) {
  process.stderr.write('--concurrency must be 1 or 2 (the machine is shared)\n');
  process.exit(2);
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'test'], { encoding: 'utf8' }).trim() !== '';
mkdirSync('reports/mutation', { recursive: true });

interface Score {
  readonly name: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly errors: number;
  readonly ignored: number;
  readonly minutes: number;
}

const scores: Score[] = [];
for (const name of names) {
  const module = MUTATION_MODULES[name]!;
  const started = Date.now();
  const options: PartialStrykerOptions = {
    testRunner: 'tap',
    tap: {
      testFiles: [...module.testFiles],
      // node:test prints TAP when run directly; tsx loads the (instrumented) .ts sources.
      nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
      forceBail: true,
    },
    mutate: values.mutate ?? [...module.mutate],
    coverageAnalysis: 'perTest',
    concurrency,
    // The machine is shared: a slow run is not a hanging one.
    timeoutMS: 15_000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 10,
    // node_modules is a symlink to a shared install: link it, never copy it.
    symlinkNodeModules: true,
    ignorePatterns: ['/bench', '/gateways', '/dist', '/.claimgate-dev', '/.scratch', '/reports', '*.cpuprofile'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    incremental: values.incremental,
    ignoreStatic: values['ignore-static'],
    incrementalFile: `reports/mutation/${name}-incremental.json`,
    reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    fileLogLevel: 'off' as LogLevel,
    logLevel: 'info' as LogLevel,
  };
  const results = await new Stryker(options).runMutationTest();
  const count = (status: string) => results.filter((result) => result.status === status).length;
  scores.push({
    name,
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    errors: count('RuntimeError') + count('CompileError'),
    ignored: count('Ignored'),
    minutes: (Date.now() - started) / 60_000,
  });
  for (const result of results.filter((r) => r.status === 'Survived' || r.status === 'NoCoverage')) {
    const { line, column } = result.location.start;
    process.stdout.write(`[${name}] ${result.status}: ${result.fileName}:${line}:${column + 1} ${result.mutatorName} -> ${JSON.stringify(result.replacement)}\n`);
  }
}

const date = new Date().toISOString().slice(0, 10);
process.stdout.write(`\nMutation score on ${date}, commit ${commit}${dirty ? ' (with uncommitted changes)' : ''}, concurrency ${concurrency}${values['ignore-static'] ? ', static mutants ignored' : ''}:\n\n`);
process.stdout.write('| module | killed | timeout | survived | no coverage | ignored | score | minutes |\n|---|---|---|---|---|---|---|---|\n');
for (const s of scores) {
  const detected = s.killed + s.timeout;
  const valid = detected + s.survived + s.noCoverage;
  const score = valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
  process.stdout.write(`| ${s.name} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.ignored} | ${score} | ${s.minutes.toFixed(1)} |\n`);
}
