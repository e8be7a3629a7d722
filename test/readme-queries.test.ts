// Every GraphQL query the README shows runs on the example API: the curl
// bodies' "query" strings and the inline `{ ... }` / `field(arg: ...) { ... }`
// snippets are validated against the example schema `npm start` serves, so a
// README can never name a field that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { createExampleSchema } from '../src/example/create-example-schema.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Inline code that is JavaScript or a directive's code-first shape, not a query on the example API. */
const NOT_QUERIES = new Set([
  "{ hasRole: { role: 'admin' } }",
  '{ hasRole: [{ ... }] }',
  '{ principal }',
  '{ errors: [{ extensions: { code: "TOKEN_EXPIRED" } }] }',
  '{ errors: [{ extensions: { code: "TOKEN_KEY_RETIRED" } }] }',
  '{ server, close() }',
  '{ mode, fields, unprotected }',
  '{ open, endedByExpiry, endedByKeyRetirement }',
]);

function readmeQueries(): string[] {
  const fromCurl = [...readme.matchAll(/"query":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string);
  const spans = [...readme.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
  const inline = spans.filter(
    (span) => !NOT_QUERIES.has(span) && (/^\{ ?[_a-zA-Z]/.test(span) || /^[_a-z]\w*(\(\w+: [^)]*\))?( \{.*\})$/.test(span) || /^[_a-z]\w*\(\w+: [^)]*\)$/.test(span)),
  );
  // A field written alone (`node(id: "d1")`) is asked for with a selection; one with a selection is wrapped in `{ }`.
  const asQuery = (span: string) => (span.startsWith('{') ? span : span.includes('{') ? `{ ${span} }` : `{ ${span} { __typename } }`);
  return [...new Set([...fromCurl, ...inline.map(asQuery)])];
}

test('every query in the README is valid on the example API', () => {
  const schema = createExampleSchema();
  const queries = readmeQueries();
  assert.ok(queries.length >= 6, `found ${queries.length} queries: the extraction still works`);
  const invalid = queries.flatMap((query) => {
    const errors = validate(schema, parse(query));
    return errors.length === 0 ? [] : [[query, errors.map((error) => error.message)]];
  });
  assert.deepEqual(invalid, []);
});

test('the extraction would catch a field that does not exist', () => {
  const schema = createExampleSchema();
  assert.deepEqual(validate(schema, parse('{ me }')).map((error) => error.message), ['Field "me" of type "Viewer" must have a selection of subfields. Did you mean "me { ... }"?']);
  assert.deepEqual(validate(schema, parse('{ hello }')).map((error) => error.message), ['Cannot query field "hello" on type "Query".']);
});
