// The README's "Every default" table is DEFAULTS in prose: every key, with its
// value, and nothing else. A default added, removed or changed in one place
// and not the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../../src/config/defaults.ts';

function flatten(value: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(value).flatMap(([key, inner]) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? flatten(inner as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, Array.isArray(inner) ? inner.join(',') : String(inner)] as [string, string]],
  );
}

test('the README table of every default matches DEFAULTS, key for key and value for value', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Every default');
  assert.ok(start > 0, 'the README has the section');
  const table = readme.slice(start, readme.indexOf('\n\n', readme.indexOf('|---|', start)));
  const rows = [...table.matchAll(/^\| `([\w.]+)` \| `([^`]*)` \|/gm)].map((match) => [match[1]!, match[2]!]);
  assert.deepEqual(rows, flatten(DEFAULTS as unknown as Record<string, unknown>));
});
