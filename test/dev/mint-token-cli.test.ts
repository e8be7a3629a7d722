// `npm run -s token`: mints for the dev issuer of the server at HOST and PORT
// (or --issuer), prints the token alone on stdout so `$(...)` captures it, and
// says on stderr which issuer it minted for. `main(argv, env)` is callable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { decodeJwt } from 'jose';
import { main } from '../../src/dev/mint-token-cli.ts';
import { graphql, startTestApi, type TestApi } from '../support/test-api.ts';

/** Runs main() in-process and collects what it writes. */
async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) });
  return { code, stdout, stderr };
}

describe('npm run -s token against a running npm start (dev issuer)', () => {
  let api: TestApi;
  let port: string;
  before(async () => {
    api = await startTestApi({});
    port = new URL(api.origin).port;
  });
  after(() => api.close());

  test('the README\'s TOKEN=$(npm run -s token -- --role editor) gives a token that server accepts', async () => {
    const shell = spawnSync('sh', ['-c', 'TOKEN=$(npm run -s token -- --role editor --sub carol) && printf "%s" "$TOKEN"'], {
      env: { ...stripAuth(process.env), PORT: port, HOST: '127.0.0.1' },
      encoding: 'utf8',
    });
    assert.equal(shell.status, 0, shell.stderr);
    assert.match(shell.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'stdout is the token alone: no npm banner, no newline inside $(...)');
    assert.equal(shell.stderr, `claimgate token: for issuer ${api.origin}/dev-issuer (npm start with HOST=127.0.0.1 PORT=${port}); sub carol; expires in 15m\n`);
    const response = await graphql(api.graphqlUrl, { query: '{ me { sub roles issuer } adminReport }', token: shell.stdout });
    assert.deepEqual({ status: response.status, body: response.body }, {
      status: 200,
      body: {
        data: { me: { sub: 'carol', roles: ['editor'], issuer: `${api.origin}/dev-issuer` }, adminReport: null },
        errors: [{ message: 'Forbidden: requires role admin.', locations: [{ line: 1, column: 27 }], path: ['adminReport'], extensions: { code: 'FORBIDDEN' } }],
      },
    });
  });

  test('a token minted for another port is refused by this server (the issuer is part of the token)', async () => {
    const other = String(Number(port) === 4000 ? 4001 : 4000);
    const minted = await run(['--role', 'admin'], { PORT: other, HOST: '127.0.0.1' });
    assert.equal(minted.code, 0, minted.stderr);
    assert.equal(decodeJwt(minted.stdout.trim()).iss, `http://127.0.0.1:${other}/dev-issuer`);
    const response = await graphql(api.graphqlUrl, { query: '{ adminReport }', token: minted.stdout.trim() });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="untrusted issuer"');
  });

  test('--issuer names the dev issuer directly', async () => {
    const minted = await run(['--issuer', `${api.origin}/dev-issuer`, '--scope', 'reports:read', '--ttl', '2m']);
    assert.equal(minted.code, 0, minted.stderr);
    assert.equal(minted.stderr, `claimgate token: for issuer ${api.origin}/dev-issuer (--issuer); sub alice; expires in 2m\n`);
    const claims = decodeJwt(minted.stdout.trim());
    assert.deepEqual({ iss: claims.iss, sub: claims.sub, aud: claims.aud, scope: claims.scope, ttl: claims.exp! - claims.iat! }, {
      iss: `${api.origin}/dev-issuer`, sub: 'alice', aud: 'claimgate-dev', scope: 'reports:read', ttl: 120,
    });
    const response = await graphql(api.graphqlUrl, { query: '{ scopedReport }', token: minted.stdout.trim() });
    assert.deepEqual({ status: response.status, body: response.body }, { status: 200, body: { data: { scopedReport: 'Report: 42 widgets.' } } });
  });
});

test('defaults: HOST and PORT unset mint for npm start\'s default address', async () => {
  const minted = await run([]);
  assert.equal(minted.code, 0, minted.stderr);
  assert.equal(decodeJwt(minted.stdout.trim()).iss, 'http://127.0.0.1:4000/dev-issuer');
  assert.equal(minted.stderr, 'claimgate token: for issuer http://127.0.0.1:4000/dev-issuer (npm start with HOST=127.0.0.1 PORT=4000); sub alice; expires in 15m\n');
});

test('--help prints the usage on stdout and exits 0', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^usage: npm run -s token -- /);
  assert.match(help.stdout, /TOKEN=\$\(npm run -s token -- --role editor\)/);
  assert.match(help.stdout, /--issuer <url>/);
});

test('bad input: a clear message and exit 2, never a token', async () => {
  const cases: [string[], Record<string, string>, string][] = [
    [['--issuer', 'ftp://id.example.com'], {}, '--issuer must be the dev issuer\'s URL, like http://127.0.0.1:4000/dev-issuer, not "ftp://id.example.com"'],
    [['--issuer', 'not a url'], {}, '--issuer must be the dev issuer\'s URL, like http://127.0.0.1:4000/dev-issuer, not "not a url"'],
    [['--ttl', 'forever'], {}, '--ttl must look like 90s, 15m or 2h, not "forever"'],
    [['--ttl', '0m'], {}, '--ttl must look like 90s, 15m or 2h, not "0m"'],
    [['--claim', '=x'], {}, '--claim must be name=value, not "=x"'],
    [['--rol', 'admin'], {}, 'Unknown option \'--rol\'\n'],
    [[], { PORT: 'eighty' }, 'PORT'],
    [[], { AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'api' }, 'AUTH_ISSUER is set: tokens come from your identity provider, not from claimgate (or name a dev issuer with --issuer).'],
  ];
  for (const [argv, env, message] of cases) {
    const result = await run(argv, env);
    assert.equal(result.code, 2, argv.join(' '));
    assert.equal(result.stdout, '', argv.join(' '));
    assert.ok(result.stderr.startsWith(`claimgate token: ${message}`), `${argv.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /\nusage: npm run -s token -- /);
  }
});

function stripAuth(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => !/^(AUTH_|PORT$|HOST$)/.test(name) && value !== undefined)) as Record<string, string>;
}
