// The `claimgate` bin as users run it: compiled JS run with plain node, no tsx.
// Each source file is emitted by TypeScript's own emitter (transpileModule,
// with the build's import rewriting; `npm run typecheck` does the type check)
// into a temporary folder, so this stays fast and never races other tests on dist/.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = fileURLToPath(new URL('../../', import.meta.url));
let folder: string;
let bin: string;
// Nothing of the test runner's environment (AUTH_*, LIMIT_*) leaks into the bin.
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'claimgate-bin-'));
  const src = join(repo, 'src');
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, rewriteRelativeImportExtensions: true },
    });
    const out = join(folder, 'dist', file.slice(src.length + 1).replace(/\.ts$/, '.js'));
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, outputText);
  }
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ type: 'module' }));
  cpSync(join(repo, 'schema'), join(folder, 'schema'), { recursive: true });
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(folder, 'node_modules'));
  bin = join(folder, 'dist/cli/claimgate.js');
});
after(() => rmSync(folder, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: folder, env: { ...ENV, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr });
    });
  });
}

describe('help and usage', () => {
  test('--help and help print the usage and exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const result = await run(args);
      assert.equal(result.code, 0);
      assert.match(result.stdout, /^usage: claimgate <command> \[options\]\n\ncommands:\n  serve .*\n  token .*\n  report .*\n  help /);
      assert.equal(result.stderr, '');
    }
  });

  test('help <command> and <command> --help print that command\'s usage', async () => {
    for (const [command, args] of [['serve', ['help', 'serve']], ['token', ['token', '--help']], ['report', ['help', 'report']], ['report', ['report', '-h']]] as const) {
      const result = await run([...args]);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, new RegExp(`^usage: claimgate ${command}`));
    }
  });

  test('no command, an unknown command or help on one: usage on stderr, exit 2', async () => {
    for (const [args, message] of [[[], /^usage: claimgate/], [['frob'], /^claimgate: unknown command "frob"\.\nusage: claimgate/], [['help', 'frob'], /^claimgate: unknown command "frob"\./]] as const) {
      const result = await run([...args]);
      assert.deepEqual({ code: result.code, stdout: result.stdout }, { code: 2, stdout: '' });
      assert.match(result.stderr, message);
    }
  });
});

describe('claimgate report', () => {
  const example = () => join(repo, 'schema/example.graphql');

  test('a table of every field, and exit 0 without --fail-on-unprotected', async () => {
    const result = await run(['report', example()]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^FIELD +STATUS +PROTECTED BY\n/);
    assert.match(result.stdout, /\nQuery\.adminReport +protected +field Query\.adminReport: role admin\n/);
    assert.match(result.stdout, /\nUser\.name +UNPROTECTED\n/);
    assert.match(result.stdout, /\n\n34 fields \(mode default\): 6 unprotected\.\n$/);
  });

  test('--fail-on-unprotected exits 1 when a field is unprotected, 0 in protect-all', async () => {
    const failing = await run(['report', '--fail-on-unprotected', example()]);
    assert.equal(failing.code, 1);
    const strict = await run(['report', '--fail-on-unprotected', '--mode', 'protect-all', example()]);
    assert.equal(strict.code, 0);
    assert.match(strict.stdout, /0 unprotected\.\n$/);
  });

  test('--json, on a module exporting a code-first schema', async () => {
    const module = join(folder, 'code-first.mjs');
    writeFileSync(module, `
      import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
      export const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: 'Query', fields: {
        open: { type: GraphQLString },
        closed: { type: GraphQLString, extensions: { directives: { hasRole: [{ role: 'admin' }] } } },
      } }) });`);
    const result = await run(['report', '--json', '--fail-on-unprotected', module]);
    assert.equal(result.code, 1);
    assert.deepEqual(JSON.parse(result.stdout), {
      mode: 'default',
      fields: [
        { coordinate: 'Query.closed', status: 'protected', protectedBy: [{ kind: 'field', from: 'Query.closed', requires: ['role admin'] }] },
        { coordinate: 'Query.open', status: 'unprotected', protectedBy: [] },
      ],
      unprotected: ['Query.open'],
    });
  });

  test('bad input: one clear line, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['report'], /^claimgate report: expected one schema file, got 0\./],
      [['report', join(folder, 'missing.graphql')], /^claimgate report: cannot read .*missing\.graphql \(ENOENT\)\.\n$/],
      [['report', '--mode', 'strict', example()], /^claimgate report: --mode must be "default" or "protect-all", not "strict"\.\n$/],
      [['report', join(folder, 'not-a-schema.mjs')], /not-a-schema\.mjs must export a GraphQLSchema as default or `schema`/],
      [['report', '--frob', example()], /^claimgate report: Unknown option '--frob'/],
    ];
    writeFileSync(join(folder, 'not-a-schema.mjs'), 'export const schema = { query: "Query" };');
    const bad = join(folder, 'bad.graphql');
    writeFileSync(bad, 'type Query { x: String @hasRole(role: "") }');
    cases.push([['report', bad], /^claimgate report: @hasRole on field Query\.x: a role must not be empty\.\n$/]);
    const results = await Promise.all(cases.map(([args]) => run(args)));
    cases.forEach(([args, message], i) => {
      assert.deepEqual({ code: results[i]!.code, stdout: results[i]!.stdout }, { code: 2, stdout: '' }, args.join(' '));
      assert.match(results[i]!.stderr, message);
    });
  });
});

test('claimgate token mints a token for the development issuer', async () => {
  const result = await run(['token', '--sub', 'bob', '--role', 'editor']);
  assert.equal(result.code, 0, result.stderr);
  const [, payload] = result.stdout.trim().split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  assert.deepEqual({ sub: claims.sub, roles: claims.roles }, { sub: 'bob', roles: ['editor'] });
  // Which port it mints for is mint-token-cli's business (it may follow the running server's).
  assert.match(claims.iss, /^http:\/\/127\.0\.0\.1:\d+\/dev-issuer$/);
});

test('claimgate serve answers, and exits 0 on SIGTERM after a graceful shutdown', async () => {
  const child = spawn(process.execPath, [bin, 'serve'], { cwd: folder, env: { ...ENV, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const match = /claimgate listening on (\S+)/.exec(text);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`exited before listening: ${text}`)));
    });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ publicInfo }"}' });
    assert.deepEqual({ status: response.status, body: await response.json() }, { status: 200, body: { data: { publicInfo: 'claimgate example API' } } });
  } finally {
    child.kill('SIGTERM');
  }
  assert.deepEqual(await exited, { code: 0, signal: null });
});
