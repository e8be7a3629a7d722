import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFile(new URL(path, root), 'utf8');

/** The first fenced block of `language` after the heading `heading` (and before the next heading of its level). */
function blockAfter(readme: string, heading: string, language: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has the heading ${heading}`);
  const level = heading.split(' ')[0]!;
  const next = readme.indexOf(`\n${level} `, start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const match = new RegExp('\\n```' + language + '\\n([\\s\\S]*?)\\n```\\n').exec(section);
  assert.ok(match, `${heading} has a \`\`\`${language} block`);
  return `${match[1]}\n`;
}

test('README: the Hive Gateway recipe is gateways/hive/gateway.config.ts, the file the gateway tests run', async () => {
  assert.equal(blockAfter(await read('README.md'), '### Hive Gateway (tested)', 'ts'), await read('gateways/hive/gateway.config.ts'));
});

test('README: the Grafbase recipe is gateways/grafbase/grafbase.toml, the file the gateway tests run', async () => {
  assert.equal(blockAfter(await read('README.md'), '### Grafbase (tested)', 'toml'), await read('gateways/grafbase/grafbase.toml'));
});

test('README: the @apollo/gateway recipe is the code test/federation/gateway.test.ts runs, line for line', async () => {
  const trimmed = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const recipe = trimmed(blockAfter(await read('README.md'), '### @apollo/gateway (tested)', 'ts'));
  const source = trimmed(await read('test/federation/gateway.test.ts'));
  const at = source.indexOf(recipe[0]!);
  assert.ok(at >= 0, `gateway.test.ts has ${recipe[0]}`);
  assert.deepEqual(source.slice(at, at + recipe.length), recipe);
});
