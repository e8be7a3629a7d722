/** How the bench starts and reaches one server under test. */
export interface ServerSpec {
  /** Selects the server in BENCH_SERVERS. */
  readonly key: string;
  /** Name used in the table. */
  readonly id: string;
  readonly description: string;
  /** Entry file, relative to the repository root, run as `node --import tsx <entry>`. */
  readonly entry: string;
  readonly graphqlPath: string;
  /** GET path that answers 200 once the server can serve. */
  readonly readyPath: string;
  /** False for the servers without auth: their correctness check skips the denials. */
  readonly enforcesAuth: boolean;
  /** Extra environment of the server process. */
  readonly env?: Readonly<Record<string, string>>;
}

/** A server on node:http with claimgate's `GET /readyz` (bench/servers/listen.ts or claimgate itself). */
const onNodeHttp = (key: string, id: string, description: string, entry: string, enforcesAuth: boolean): ServerSpec => ({
  key,
  id,
  description,
  entry,
  graphqlPath: '/graphql',
  readyPath: '/readyz',
  enforcesAuth,
});

export const CLAIMGATE = onNodeHttp('claimgate', 'claimgate', 'claimgate as `npm start` runs it', 'src/main.ts', true);

/** The useClaimgate Yoga plugin from the package entry point. */
export const CLAIMGATE_PLUGIN = onNodeHttp(
  'claimgate-plugin',
  'claimgate plugin (useClaimgate)',
  'createYoga + useClaimgate on node:http',
  'bench/servers/claimgate-plugin.ts',
  true,
);

/**
 * The observability A/B (issue 12): the same plugin server with metrics off
 * and no OpenTelemetry SDK, and with metrics on and an SDK recording every
 * span. Compare their CPU per request: `BENCH_SERVERS=obs-off,obs-on`.
 */
export const OBSERVABILITY_OFF: ServerSpec = {
  ...onNodeHttp('obs-off', 'plugin, metrics + spans off', 'createYoga + useClaimgate, metrics: false, no OTel SDK', 'bench/servers/claimgate-plugin.ts', true),
  env: { BENCH_OBSERVABILITY: 'off' },
};
export const OBSERVABILITY_ON: ServerSpec = {
  ...onNodeHttp('obs-on', 'plugin, metrics + spans on', 'createYoga + useClaimgate, metrics on, OTel SDK recording every span', 'bench/servers/claimgate-plugin.ts', true),
  env: { BENCH_OBSERVABILITY: 'on' },
};
/** obs-on plus OTel's AsyncLocalStorage context manager (the application's choice; Node 20 pays for it on every promise). */
export const OBSERVABILITY_ON_ALS: ServerSpec = {
  ...onNodeHttp('obs-on-als', 'plugin, metrics + spans on, ALS context', 'obs-on with the AsyncLocalStorage context manager registered', 'bench/servers/claimgate-plugin.ts', true),
  env: { BENCH_OBSERVABILITY: 'on-als' },
};

/** The ceiling every ratio is taken against: no auth, claimgate's exact server settings. */
export const CEILING = onNodeHttp('yoga-tuned', 'yoga-tuned (no auth)', 'graphql-yoga with claimgate\'s server settings, no auth', 'bench/servers/yoga-tuned.ts', false);

/** What a Yoga user gets out of the box: the second ratio column. */
export const YOGA_DEFAULT = onNodeHttp('yoga', 'yoga default (no auth)', 'graphql-yoga with its defaults, no auth', 'bench/servers/yoga-plain.ts', false);

/** The least any server on this schema can spend: node:http + graphql-js. */
export const FLOOR = onNodeHttp('floor', 'floor: node:http + graphql-js (no auth)', 'node:http and graphql-js, parse/validate cached', 'bench/servers/floor.ts', false);

export const YOGA_JWT = onNodeHttp(
  'yoga-jwt',
  'yoga + plugin-jwt + generic-auth',
  'graphql-yoga with @graphql-yoga/plugin-jwt and @envelop/generic-auth',
  'bench/servers/yoga-jwt-generic-auth.ts',
  true,
);

/** Apollo has no health route; an anonymous GET query proves the schema is served. */
const APOLLO_READY = '/?query=%7B__typename%7D';

export const APOLLO_PLAIN: ServerSpec = {
  key: 'apollo-plain',
  id: 'apollo (no auth)',
  description: '@apollo/server with no auth',
  entry: 'bench/servers/apollo-plain.ts',
  graphqlPath: '/',
  readyPath: APOLLO_READY,
  enforcesAuth: false,
};

export const APOLLO_SHIELD: ServerSpec = {
  key: 'apollo',
  id: 'apollo + jose + graphql-shield',
  description: '@apollo/server with a jose context function and graphql-shield rules',
  entry: 'bench/servers/apollo-shield.ts',
  graphqlPath: '/',
  readyPath: APOLLO_READY,
  enforcesAuth: true,
};

/** Every server, in the order of the table. */
export const ALL_SERVERS: readonly ServerSpec[] = [CLAIMGATE, CLAIMGATE_PLUGIN, CEILING, YOGA_DEFAULT, FLOOR, YOGA_JWT, APOLLO_PLAIN, APOLLO_SHIELD, OBSERVABILITY_OFF, OBSERVABILITY_ON];
