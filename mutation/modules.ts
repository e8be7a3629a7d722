/**
 * What `npm run test:mutation` mutates, module by module, and the test files
 * that judge each module: the targeted ones, so a run stays short. A test file
 * outside this list may still kill a mutant in a full `npm test`; the score
 * here is the score of these files.
 */
export interface MutationModule {
  /** Globs of the source files mutated, relative to the repository root. */
  readonly mutate: readonly string[];
  /** The test files run against each mutant (only those that reach it). */
  readonly testFiles: readonly string[];
}

/**
 * The files that judge directives/. In-process files first: most mutants die
 * there, before any server starts (Stryker runs a mutant's covering files in
 * this order and stops at the first failure). Every covering file runs for a
 * surviving mutant, so the server-level files are the few that test
 * directives end to end.
 */
const DIRECTIVES_TESTS: readonly string[] = [
  'test/directives/requirements.test.ts',
  'test/directives/directive-names.test.ts',
  'test/directives/semantics.test.ts',
  'test/directives/misuse.test.ts',
  'test/directives/fast-path.test.ts',
  'test/directives/policy.test.ts',
  'test/directives/guard-wiring.test.ts',
  'test/directives/schema-reading.test.ts',
  'test/directives/code-first-placement.test.ts',
  'test/directives/audit-mode.test.ts',
  'test/directives/bypass-matrix.test.ts',
  'test/federation/entities.test.ts',
  // Judges what the plan says about each field (sources, @public) against the running API.
  'test/directives/protection-report.test.ts',
];

export const MUTATION_MODULES: Readonly<Record<string, MutationModule>> = {
  verification: {
    // The principal (roles, scopes and claim paths read from a verified token) was part of verification.
    mutate: ['src/verification/**/*.ts', 'src/principal/**/*.ts'],
    testFiles: [
      'test/principal/principal.test.ts',
      'test/verification/token-shape.test.ts',
      'test/verification/issuer-config.test.ts',
      'test/verification/token-verifier.test.ts',
      'test/verification/token-verifier-outcomes.test.ts',
      'test/keys/key-presence.test.ts',
      'test/verification/token-caches.test.ts',
      'test/verification/attacks.test.ts',
      'test/keys/symmetric-keys.test.ts',
      'test/providers/provider-shapes.test.ts',
      'test/directives/extend-and-role-strings.test.ts',
    ],
  },
  credentials: {
    mutate: ['src/credentials/**/*.ts'],
    testFiles: [
      'test/credentials/extract-credentials.test.ts',
      'test/server/cookie-credentials.test.ts',
      'test/server/garbage-input.test.ts',
      'test/server/http-semantics.test.ts',
      'test/plugin/use-claimgate.test.ts',
      'test/providers/provider-shapes.test.ts',
    ],
  },
  keys: {
    mutate: ['src/keys/**/*.ts'],
    // Fastest first; jwks-cache's tests wait on real (short) refresh and retry timers.
    testFiles: [
      'test/keys/key-urls.test.ts',
      'test/keys/jwks-cache-unit.test.ts',
      'test/keys/jwks-fetch-hardening.test.ts',
      'test/keys/key-presence.test.ts',
      'test/keys/symmetric-keys.test.ts',
      'test/verification/token-caches.test.ts',
      'test/keys/jwks-cache.test.ts',
    ],
  },
  context: {
    mutate: ['src/context/**/*.ts'],
    testFiles: [
      'test/context/create-auth-context.test.ts',
      'test/server/http-semantics.test.ts',
      'test/server/cookie-credentials.test.ts',
      'test/server/garbage-input.test.ts',
      'test/plugin/use-claimgate.test.ts',
    ],
  },
  // directives/ is mutated in two halves, each within about 30 minutes here:
  // what runs on each request, and what reads the schema at start-up. The
  // protection report (protection-report.ts) is a reading of the schema, not a
  // decision, and is not mutated; its test runs for the plan it prints.
  'directives-runtime': {
    mutate: [
      'src/directives/auth-directive-transformer.ts',
      'src/directives/auth-plan.ts',
      'src/directives/auth-runtime.ts',
      'src/directives/compile-guard.ts',
      'src/directives/denial-observer.ts',
      'src/directives/policy.ts',
      'src/directives/reachable-guards.ts',
      'src/directives/requirement.ts',
      'src/directives/use-auth-fast-path.ts',
    ],
    testFiles: DIRECTIVES_TESTS,
  },
  'directives-schema': {
    mutate: [
      'src/directives/**/*.ts',
      '!src/directives/protection-report.ts',
      '!src/directives/auth-directive-transformer.ts',
      '!src/directives/auth-plan.ts',
      '!src/directives/auth-runtime.ts',
      '!src/directives/compile-guard.ts',
      '!src/directives/denial-observer.ts',
      '!src/directives/policy.ts',
      '!src/directives/reachable-guards.ts',
      '!src/directives/requirement.ts',
      '!src/directives/use-auth-fast-path.ts',
    ],
    testFiles: DIRECTIVES_TESTS,
  },
};
