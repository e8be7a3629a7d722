// claimgate as a Yoga user adds it: the useClaimgate plugin on the example
// schema, Yoga created with the settings the plugin recommends, on node:http.
// BENCH_OBSERVABILITY picks the observability under test: `default` (metrics
// on, no OpenTelemetry SDK), `off` (metrics off, no SDK), `on` (metrics on
// and an OTel SDK recording every span, exported nowhere) or `on-als` (`on`
// with OTel's AsyncLocalStorage context manager).
import { createYoga } from 'graphql-yoga';
import { createPinoLogger, useClaimgate } from '../../src/index.ts';
import { createExampleSchema } from '../../src/example/create-example-schema.ts';
import { listen } from './listen.ts';
import { TUNED_YOGA_SETTINGS } from './tuned-settings.ts';
import { registerDiscardingTracer } from './discarding-tracer.ts';

const observability = process.env.BENCH_OBSERVABILITY ?? 'default';
if (observability === 'on' || observability === 'on-als') registerDiscardingTracer({ contextManager: observability === 'on-als' });

const yoga = createYoga({
  schema: createExampleSchema(),
  ...TUNED_YOGA_SETTINGS,
  plugins: [
    useClaimgate({
      issuers: [{ issuer: required('AUTH_ISSUER'), audience: [required('AUTH_AUDIENCE')], jwksUri: required('AUTH_JWKS_URI') }],
      // The same log lines as `npm start` writes, so s5's refusals cost the same.
      logger: createPinoLogger(),
      metrics: observability !== 'off',
    }),
  ],
});
listen(yoga, process.env, { keepAliveTimeoutMs: 65_000 });

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new TypeError(`${name} must be set.`);
  return value;
}
