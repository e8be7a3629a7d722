// The Yoga settings claimgate's server runs with, shared by every server that
// is compared like with like against it (the yoga-tuned ceiling, the plugin).
export const TUNED_YOGA_SETTINGS = {
  graphqlEndpoint: '/graphql',
  maxRequestBodySize: false,
  multipart: false,
  landingPage: false,
  graphiql: false,
  cors: { credentials: false },
  logging: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
} as const;
