import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ConfigError, DEFAULTS } from '../../src/index.ts';
import { loadConfig } from '../../src/server/index.ts';

const ISSUER = { AUTH_ISSUER: 'https://login.example.com/', AUTH_AUDIENCE: 'api' };

function fails(env: Record<string, string>, message: string) {
  assert.throws(() => loadConfig(env), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, message);
    return true;
  });
}

describe('loadConfig', () => {
  test('defaults: the embedded dev issuer, everything else from DEFAULTS', () => {
    assert.deepEqual(loadConfig({}), {
      port: 4000,
      host: '127.0.0.1',
      mode: 'default',
      enforcement: 'enforce',
      cookieName: undefined,
      corsOrigins: [],
      clockToleranceSeconds: 5,
      issuers: [],
      devIssuer: true,
      limits: DEFAULTS.limits,
      subscriptions: DEFAULTS.subscriptions,
      logLevel: 'info',
      metrics: true,
      metricsPort: undefined,
    });
    assert.ok(Object.isFrozen(loadConfig({})));
  });

  test('LIMIT_WS_* variables set the WebSocket bounds; a wrong value or a typo names its variable', () => {
    assert.deepEqual(loadConfig({ LIMIT_WS_MAX_SUBSCRIPTIONS: '3', LIMIT_WS_INIT_TIMEOUT_MS: '500' }).subscriptions, { maxPerConnection: 3, connectionInitTimeoutMs: 500 });
    fails({ LIMIT_WS_MAX_SUBSCRIPTIONS: '0' }, 'LIMIT_WS_MAX_SUBSCRIPTIONS: must be a whole number from 1 to 10000, not "0".');
    fails({ LIMIT_WS_INIT_TIMEOUT_MS: '3s' }, 'LIMIT_WS_INIT_TIMEOUT_MS: must be a whole number from 1 to 600000, not "3s".');
    fails({ LIMIT_WS_MAX_SUBSCRIPTION: '3' }, 'LIMIT_WS_MAX_SUBSCRIPTION: is not a claimgate variable; did you mean LIMIT_WS_MAX_SUBSCRIPTIONS? (unset it if it belongs to something else).');
  });

  test('observability: LOG_LEVEL, METRICS and METRICS_PORT are checked', () => {
    const config = loadConfig({ LOG_LEVEL: 'debug', METRICS_PORT: '9464' });
    assert.deepEqual([config.logLevel, config.metrics, config.metricsPort], ['debug', true, 9464]);
    assert.deepEqual([loadConfig({ METRICS: 'off' }).metrics, loadConfig({ METRICS: 'on' }).metrics], [false, true]);
    fails({ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal, silent, not "verbose".');
    fails({ METRICS: 'no' }, 'METRICS: must be "on" or "off", not "no".');
    fails({ METRICS: 'off', METRICS_PORT: '9464' }, 'METRICS_PORT: is set while METRICS=off; unset one of them.');
    fails({ PORT: '4000', METRICS_PORT: '4000' }, 'METRICS_PORT: must differ from PORT (4000); unset it to serve metrics on PORT.');
    fails({ METRICS_PORT: 'x' }, 'METRICS_PORT: must be a whole number from 0 to 65535, not "x".');
    fails({ METRICS_PROT: '1' }, 'METRICS_PROT: is not a claimgate variable; did you mean METRICS_PORT? (unset it if it belongs to something else).');
  });

  test('typos are caught: an unknown AUTH_*/LIMIT_* variable names the likely one; white space and a malformed typ are refused', () => {
    fails({ AUTH_ROLE_CLAIM: 'groups' }, 'AUTH_ROLE_CLAIM: is not a claimgate variable; did you mean AUTH_ROLES_CLAIM? (unset it if it belongs to something else).');
    fails({ AUTH_COOKIES: 'hanko' }, 'AUTH_COOKIES: is not a claimgate variable; did you mean AUTH_COOKIE? (unset it if it belongs to something else).');
    fails({ LIMIT_MAX_DEPT: '3' }, 'LIMIT_MAX_DEPT: is not a claimgate variable; did you mean LIMIT_MAX_DEPTH? (unset it if it belongs to something else).');
    fails({ ...ISSUER, AUTH_AUDIENCE: 'api ' }, 'AUTH_AUDIENCE: has leading or trailing white space: "api "; remove it.');
    fails({ ...ISSUER, AUTH_TOKEN_TYPE: 'at jwt' }, 'AUTH_TOKEN_TYPE: "at jwt" is not a media type (e.g. at+jwt or application/at+jwt).');
    assert.equal(loadConfig({ ...ISSUER, AUTH_TOKEN_TYPE: 'application/at+jwt' }).issuers[0]!.tokenType, 'application/at+jwt');
    assert.equal(loadConfig({ ...ISSUER, AUTHOR: 'x', PATH: ' /bin ' }).issuers.length, 1, 'other variables are not ours to judge');
  });

  test('LIMIT_* variables set the operation limits; a wrong value names its variable', () => {
    const { limits } = loadConfig({ LIMIT_MAX_DEPTH: '20', LIMIT_MAX_COST: '1000', LIMIT_LIST_SIZE_ARGUMENTS: 'top,limit' });
    assert.deepEqual(limits, { ...DEFAULTS.limits, maxDepth: 20, maxCost: 1000, listSizeArguments: ['top', 'limit'] });
    fails({ LIMIT_MAX_ALIASES: '0' }, 'LIMIT_MAX_ALIASES: must be a whole number from 1 to 1000000000, not "0".');
    fails({ LIMIT_MAX_TOKENS: 'many' }, 'LIMIT_MAX_TOKENS: must be a whole number from 1 to 1000000000, not "many".');
    fails({ LIMIT_LIST_SIZE_ARGUMENTS: 'first,not-a-name' }, 'LIMIT_LIST_SIZE_ARGUMENTS: "not-a-name" is not a GraphQL argument name.');
  });

  test('one issuer from the environment, fully defaulted', () => {
    const config = loadConfig(ISSUER);
    assert.deepEqual(config.issuers, [
      {
        issuer: 'https://login.example.com/',
        audience: ['api'],
        jwksUri: undefined,
        algorithms: [...DEFAULTS.algorithms],
        rolesClaim: ['roles'],
        scopesClaim: undefined,
        tokenType: undefined,
        tokenUse: undefined,
        allowMissingIssuer: false,
        allowMissingAudience: false,
      },
    ]);
    assert.equal(config.devIssuer, false);
  });

  test('lists, pointers and numbers', () => {
    const config = loadConfig({
      ...ISSUER,
      AUTH_AUDIENCE: 'api, https://api.example.com',
      AUTH_ALGORITHMS: 'ES256,EdDSA',
      AUTH_ROLES_CLAIM: '/realm_access/roles',
      AUTH_JWKS_URI: 'https://login.example.com/keys',
      AUTH_CLOCK_TOLERANCE: '0',
      AUTH_MODE: 'protect-all',
      AUTH_COOKIE: 'hanko',
      PORT: '8080',
    });
    const issuer = config.issuers[0]!;
    assert.deepEqual(
      [issuer.audience, issuer.algorithms, issuer.rolesClaim, issuer.jwksUri?.href, config.clockToleranceSeconds, config.mode, config.cookieName, config.port],
      [['api', 'https://api.example.com'], ['ES256', 'EdDSA'], ['realm_access', 'roles'], 'https://login.example.com/keys', 0, 'protect-all', 'hanko', 8080],
    );
    assert.deepEqual(loadConfig({ ...ISSUER, AUTH_ROLES_CLAIM: 'https://example.com/roles' }).issuers[0]!.rolesClaim, ['https://example.com/roles']);
  });

  test('each mistake names the variable and the fix', () => {
    fails({ AUTH_ISSUER: 'https://login.example.com' }, 'AUTH_AUDIENCE: is required: the `aud` value(s) the API accepts, comma-separated.');
    fails({ AUTH_AUDIENCE: 'api' }, 'AUTH_ISSUER: is required when AUTH_AUDIENCE is set.');
    fails({ ...ISSUER, AUTH_ALGORITHMS: 'RS256,HS256' }, 'AUTH_ALGORITHMS: "HS256" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).');
    fails({ ...ISSUER, AUTH_ALGORITHMS: 'none' }, 'AUTH_ALGORITHMS: "none" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).');
    fails({ ...ISSUER, AUTH_ALGORITHMS: 'rs256' }, `AUTH_ALGORITHMS: "rs256" is not a known JWS algorithm (${DEFAULTS.algorithms.join(', ')}).`);
    fails({ ...ISSUER, AUTH_JWKS_URI: 'http://login.example.com/keys' }, 'AUTH_JWKS_URI: must use https (plain http is allowed only for loopback addresses): "http://login.example.com/keys".');
    fails({ ...ISSUER, AUTH_ISSUER: 'http://login.example.com' }, 'AUTH_ISSUER: must use https (plain http is allowed only for loopback addresses): "http://login.example.com".');
    fails({ ...ISSUER, AUTH_ISSUER: 'not a url' }, 'AUTH_ISSUER: must be an absolute URL (or set the JWKS URL explicitly to skip discovery).');
    fails({ ...ISSUER, AUTH_AUDIENCE: 'a,,b' }, 'AUTH_AUDIENCE: must be a non-empty list of non-empty strings.');
    fails({ ...ISSUER, AUTH_CLOCK_TOLERANCE: '-1' }, 'AUTH_CLOCK_TOLERANCE: must be a whole number from 0 to 300, not "-1".');
    fails({ ...ISSUER, AUTH_CLOCK_TOLERANCE: '5s' }, 'AUTH_CLOCK_TOLERANCE: must be a whole number from 0 to 300, not "5s".');
    fails({ PORT: '70000' }, 'PORT: must be a whole number from 0 to 65535, not "70000".');
    fails({ AUTH_MODE: 'strict' }, 'AUTH_MODE: must be "default" or "protect-all", not "strict".');
    fails({ AUTH_ENFORCEMENT: 'dry-run' }, 'AUTH_ENFORCEMENT: must be "enforce" or "audit", not "dry-run".');
    assert.equal(loadConfig({ AUTH_ENFORCEMENT: 'audit' }).enforcement, 'audit');
    fails({ AUTH_COOKIE: 'bad cookie' }, 'AUTH_COOKIE: "bad cookie" is not a valid cookie name.');
    fails({ ...ISSUER, AUTH_ROLES_CLAIM: '/a~' }, 'AUTH_ROLES_CLAIM: "/a~" is not a valid JSON Pointer: "~" must be followed by 0 or 1.');
    fails({ CORS_ORIGINS: 'https://app.example.com/' }, 'CORS_ORIGINS: "https://app.example.com/" is not an origin (scheme://host[:port], no path or trailing slash).');
    fails({ ...ISSUER, AUTH_ALLOW_MISSING_ISSUER: 'yes' }, 'AUTH_ALLOW_MISSING_ISSUER: must be "true" or "false", not "yes".');
  });

  test('the dev issuer never runs in production', () => {
    fails({ NODE_ENV: 'production' }, 'AUTH_ISSUER: is required when NODE_ENV=production: the embedded development issuer never runs in production.');
    assert.equal(loadConfig({ ...ISSUER, NODE_ENV: 'production' }).devIssuer, false);
  });
});

describe('the entry point', () => {
  test('a wrong value stops the process with one line naming the variable, exit code 2', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, AUTH_ISSUER: 'https://login.example.com', AUTH_AUDIENCE: 'api', AUTH_ALGORITHMS: 'HS256' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'claimgate: configuration error: AUTH_ALGORITHMS: "HS256" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).\n',
    );
  });

  test('a port in use stops the process with one line naming HOST and PORT, exit code 1', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1' },
        encoding: 'utf8',
      });
      assert.equal(result.status, 1);
      assert.equal(result.stderr, `claimgate: cannot listen on HOST=127.0.0.1 PORT=${port}: EADDRINUSE (set HOST and PORT to a free local address).\n`);
    } finally {
      blocker.close();
    }
  });

  test('dev mode refuses NODE_ENV=production', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { PATH: process.env.PATH, NODE_ENV: 'production' }, encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^claimgate: configuration error: AUTH_ISSUER: is required when NODE_ENV=production/);
    assert.equal(result.stderr.split('\n').length, 2);
  });
});
