// The README's schema snippet builds. (Its library example runs in a fresh
// consumer project from the packed package: test/consumer/packed-package.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

test('the schema snippet in "Protecting your schema" builds', async () => {
  const { apolloAuthorizationTypeDefs, makeAuthSchema } = await import('../src/index.ts');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Protecting your schema'));
  const sdl = /```graphql\n([\s\S]*?)```/.exec(section)![1]!;
  const schema = makeAuthSchema({ typeDefs: [apolloAuthorizationTypeDefs, sdl] });
  assert.deepEqual(Object.keys(schema.getQueryType()!.getFields()).length, 9);
});
