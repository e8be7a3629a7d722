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
  /** False for the ceiling: its correctness check skips the denials. */
  readonly enforcesAuth: boolean;
}

export const CLAIMGATE: ServerSpec = {
  key: 'claimgate',
  id: 'claimgate',
  description: 'claimgate as `npm start` runs it',
  entry: 'src/main.ts',
  graphqlPath: '/graphql',
  readyPath: '/readyz',
  enforcesAuth: true,
};

/** The server every ratio is taken against: same schema and resolvers, no auth. */
export const CEILING: ServerSpec = {
  key: 'yoga',
  id: 'yoga (no auth)',
  description: 'graphql-yoga, auth directives ignored: the ceiling',
  entry: 'bench/servers/yoga-plain.ts',
  graphqlPath: '/graphql',
  readyPath: '/readyz',
  enforcesAuth: false,
};

/** What Yoga users use today; the second ratio column. */
export const YOGA_JWT: ServerSpec = {
  key: 'yoga-jwt',
  id: 'yoga + plugin-jwt + generic-auth',
  description: 'graphql-yoga with @graphql-yoga/plugin-jwt and @envelop/generic-auth',
  entry: 'bench/servers/yoga-jwt-generic-auth.ts',
  graphqlPath: '/graphql',
  readyPath: '/readyz',
  enforcesAuth: true,
};

export const APOLLO_SHIELD: ServerSpec = {
  key: 'apollo',
  id: 'apollo + jose + graphql-shield',
  description: '@apollo/server with a jose context function and graphql-shield rules',
  entry: 'bench/servers/apollo-shield.ts',
  graphqlPath: '/',
  // Apollo has no health route; an anonymous GET query proves the schema is served.
  readyPath: '/?query=%7B__typename%7D',
  enforcesAuth: true,
};

/** Every server, in the order of the table. */
export const ALL_SERVERS: readonly ServerSpec[] = [CLAIMGATE, CEILING, YOGA_JWT, APOLLO_SHIELD];
