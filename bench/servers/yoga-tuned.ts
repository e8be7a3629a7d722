// The ceiling: graphql-yoga with no auth and exactly claimgate's server
// settings (src/server/start-server.ts), so a ratio against it is the cost
// of auth alone: no Yoga body limit but a Content-Length check in front,
// no multipart, no landing page, no GraphiQL, Yoga's logging off, the same
// keep-alive timeout.
import { createYoga } from 'graphql-yoga';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { HOT_PRINCIPAL } from './hot-principal.ts';
import { listen } from './listen.ts';
import { TUNED_YOGA_SETTINGS } from './tuned-settings.ts';

const yoga = createYoga({
  schema: createPlainExampleSchema(),
  context: () => ({ principal: HOT_PRINCIPAL }),
  ...TUNED_YOGA_SETTINGS,
});
listen(yoga, process.env, { maxBodyBytes: DEFAULTS.maxRequestBodyBytes, keepAliveTimeoutMs: 65_000 });
