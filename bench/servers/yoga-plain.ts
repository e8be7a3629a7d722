// graphql-yoga with its defaults and no auth: what a Yoga user gets out of
// the box, on the same schema and resolvers.
import { createYoga } from 'graphql-yoga';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { HOT_PRINCIPAL } from './hot-principal.ts';
import { listen } from './listen.ts';

const yoga = createYoga({ schema: createPlainExampleSchema(), context: () => ({ principal: HOT_PRINCIPAL }) });
listen(yoga, process.env);
