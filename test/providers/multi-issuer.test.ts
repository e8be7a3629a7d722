/**
 * Several issuers in one deployment (AUTH_CONFIG): the unverified `iss` only
 * picks the issuer's entry, each token is verified with that issuer's keys
 * and rules alone, and configuration mistakes name file, entry and field.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader } from 'jose';
import { ConfigError } from '../../src/config/config-error.ts';
import { DEFAULTS } from '../../src/config/defaults.ts';
import { loadConfig } from '../../src/server/load-config.ts';
import {
  KEYCLOAK_API_CLIENT,
  LOGTO_RESOURCE,
  OKTA_AUDIENCE,
  startKeycloakFixture,
  startLogtoFixture,
  startOktaFixture,
  type ProviderFixture,
} from '../support/provider-fixtures.ts';
import { graphql, startTestApi, type GraphQLResponse, type TestApi } from '../support/test-api.ts';

const QUERY = '{ me { issuer roles scopes } }';

function allowed(response: GraphQLResponse, data: Record<string, unknown>): void {
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/graphql-response\+json/);
  assert.equal(response.headers.get('www-authenticate'), null);
  assert.deepEqual(response.body, { data });
}

function refused(response: GraphQLResponse, description: string): void {
  assert.equal(response.status, 401);
  assert.equal(response.headers.get('www-authenticate'), `Bearer error="invalid_token", error_description="${description}"`);
  assert.deepEqual(response.body, { errors: [{ message: `Unauthenticated: ${description}.`, extensions: { code: 'UNAUTHENTICATED' } }] });
}

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'claimgate-multi-issuer-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function configFile(name: string, document: unknown): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  return path;
}

describe('three issuers from one AUTH_CONFIG file', () => {
  let keycloak: ProviderFixture;
  let okta: ProviderFixture;
  let logto: ProviderFixture;
  let api: TestApi;
  /** Every request any of the three providers has answered. */
  let providerRequests: () => number;

  before(async () => {
    [keycloak, okta, logto] = await Promise.all([startKeycloakFixture(), startOktaFixture(), startLogtoFixture()]);
    const path = await configFile('issuers.json', {
      issuers: [
        // Keys through discovery.
        { issuer: keycloak.issuer, audience: [KEYCLOAK_API_CLIENT], rolesClaim: '/realm_access/roles' },
        { issuer: okta.issuer, audience: [OKTA_AUDIENCE], jwksUri: okta.jwksUri, algorithms: ['RS256'], rolesClaim: 'groups' },
        { issuer: logto.issuer, audience: [LOGTO_RESOURCE], jwksUri: logto.jwksUri, algorithms: ['ES384'], tokenType: 'at+jwt' },
      ],
    });
    // No cooldown: any key lookup a token caused would show up as a request.
    api = await startTestApi({ AUTH_CONFIG: path }, { verifier: { jwks: { cooldownMs: 0 } } });
    const paths = (fixture: ProviderFixture) => [new URL(fixture.jwksUri).pathname, ...(fixture.discoveryUri ? [new URL(fixture.discoveryUri).pathname] : [])];
    providerRequests = () =>
      [keycloak, okta, logto].reduce((sum, fixture) => sum + paths(fixture).reduce((n, p) => n + fixture.keyServer.requests(p), 0), 0);
  });
  after(async () => {
    await api?.close();
    await Promise.all([keycloak?.close(), okta?.close(), logto?.close()]);
  });

  test('each issuer\'s tokens verify, with that issuer\'s roles claim', async () => {
    assert.equal(keycloak.keyServer.requests(new URL(keycloak.discoveryUri!).pathname), 1);
    assert.equal(logto.keyServer.requests('/oidc/.well-known/openid-configuration'), 0, 'an explicit jwksUri skips discovery');
    const before = providerRequests();
    allowed(await graphql(api.graphqlUrl, { query: QUERY, token: await keycloak.mint() }), {
      me: { issuer: keycloak.issuer, roles: ['default-roles-claimgate', 'offline_access', 'uma_authorization', 'admin'], scopes: ['openid', 'profile', 'email'] },
    });
    allowed(await graphql(api.graphqlUrl, { query: QUERY, token: await okta.mint() }), {
      me: { issuer: okta.issuer, roles: ['Everyone', 'Admins'], scopes: ['openid', 'reports:read', 'documents:write'] },
    });
    allowed(await graphql(api.graphqlUrl, { query: QUERY, token: await logto.mint() }), {
      me: { issuer: logto.issuer, roles: [], scopes: ['reports:read', 'documents:write'] },
    });
    assert.equal(providerRequests(), before, 'every key was already loaded');
  });

  test('a token claiming issuer B but signed with issuer A\'s key is refused, and A\'s keys are never consulted', async () => {
    const oktaKid = decodeProtectedHeader(await okta.mint()).kid;
    const keycloakJwks = new URL(keycloak.jwksUri).pathname;
    const keycloakFetches = keycloak.keyServer.requests(keycloakJwks);
    const oktaFetches = okta.keyServer.requests('/oauth2/default/v1/keys');

    // A's kid: not in B's set. B's keys are refetched once (no cooldown here); A's never.
    const withOwnKid = await keycloak.mint({ iss: okta.issuer, aud: OKTA_AUDIENCE });
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: withOwnKid }), 'no matching key');
    assert.equal(okta.keyServer.requests('/oauth2/default/v1/keys'), oktaFetches + 1);
    assert.equal(keycloak.keyServer.requests(keycloakJwks), keycloakFetches);

    // B's kid on A's signature: B's key is picked and the signature fails.
    const withBorrowedKid = await keycloak.mint({ iss: okta.issuer, aud: OKTA_AUDIENCE }, { header: { kid: oktaKid } });
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: withBorrowedKid }), 'invalid signature');
    assert.equal(keycloak.keyServer.requests(keycloakJwks), keycloakFetches);
    assert.equal(okta.keyServer.requests('/oauth2/default/v1/keys'), oktaFetches + 1);
  });

  test('audiences are per issuer: issuer B\'s token for issuer A\'s audience is refused', async () => {
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: await okta.mint({ aud: KEYCLOAK_API_CLIENT }) }), 'invalid audience');
  });

  test('an unknown, missing or non-string iss is refused without any network request', async () => {
    const before = providerRequests();
    // Signed with a trusted key (known kid), so only the iss is wrong.
    for (const iss of ['https://evil.test/realms/claimgate', `${keycloak.issuer}/`, undefined, 42]) {
      refused(await graphql(api.graphqlUrl, { query: QUERY, token: await keycloak.mint({ iss }) }), 'untrusted issuer');
    }
    assert.equal(providerRequests(), before);
  });

  test('the token type is checked per issuer: typ at+jwt is required of the Logto entry only', async () => {
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: await logto.mint({}, { header: { typ: 'JWT' } }) }), 'wrong token type');
    refused(await graphql(api.graphqlUrl, { query: QUERY, token: await logto.mint({}, { header: { typ: undefined } }) }), 'wrong token type');
    // Keycloak (typ JWT) and Okta (no typ) have no tokenType, so theirs pass.
    assert.equal((await graphql(api.graphqlUrl, { query: QUERY, token: await keycloak.mint() })).status, 200);
    assert.equal((await graphql(api.graphqlUrl, { query: QUERY, token: await okta.mint() })).status, 200);
  });
});

describe('AUTH_CONFIG errors', () => {
  test('an entry takes the same defaults as the single-issuer variables', async () => {
    const path = await configFile('minimal.json', { issuers: [{ issuer: 'https://id.example.com', audience: ['api'] }] });
    const config = loadConfig({ AUTH_CONFIG: path });
    assert.deepEqual(config.issuers, [
      {
        issuer: 'https://id.example.com',
        audience: ['api'],
        jwksUri: undefined,
        algorithms: [...DEFAULTS.algorithms],
        rolesClaim: [DEFAULTS.rolesClaim],
        scopesClaim: undefined,
        tokenType: undefined,
        tokenUse: undefined,
        allowMissingIssuer: false,
        allowMissingAudience: false,
      },
    ]);
    assert.deepEqual(config.issuers, loadConfig({ AUTH_ISSUER: 'https://id.example.com', AUTH_AUDIENCE: 'api' }).issuers);
  });

  test('AUTH_CONFIG together with AUTH_ISSUER is refused, naming both', async () => {
    const path = await configFile('both.json', { issuers: [{ issuer: 'https://id.example.com', audience: ['api'] }] });
    assert.throws(() => loadConfig({ AUTH_CONFIG: path, AUTH_ISSUER: 'https://id.example.com' }), {
      name: 'ConfigError',
      variable: 'AUTH_CONFIG',
      message: 'AUTH_CONFIG: cannot be combined with AUTH_ISSUER; put every issuer in the file, or unset AUTH_CONFIG.',
    });
    assert.throws(() => loadConfig({ AUTH_CONFIG: path, AUTH_AUDIENCE: 'api', AUTH_ROLES_CLAIM: 'groups' }), {
      message: 'AUTH_CONFIG: cannot be combined with AUTH_AUDIENCE, AUTH_ROLES_CLAIM; put every issuer in the file, or unset AUTH_CONFIG.',
    });
  });

  test('npm start exits with status 2 and one line when both are set', async () => {
    const path = await configFile('both-start.json', { issuers: [{ issuer: 'https://id.example.com', audience: ['api'] }] });
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', main],
        {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: { PATH: process.env.PATH, AUTH_CONFIG: path, AUTH_ISSUER: 'https://id.example.com', PORT: '0' },
          timeout: 60_000,
        },
        (_error, out, err) => resolve({ code: child.exitCode, stdout: out, stderr: err }),
      );
    });
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(
      stderr,
      'claimgate: configuration error: AUTH_CONFIG: cannot be combined with AUTH_ISSUER; put every issuer in the file, or unset AUTH_CONFIG.\n',
    );
  });

  const valid = { issuer: 'https://a.example.com', audience: ['api'] };
  const cases: { name: string; document: unknown; variable: (path: string) => string; problem: string }[] = [
    {
      name: 'a missing audience',
      document: { issuers: [valid, { issuer: 'https://b.example.com' }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[1].audience`,
      problem: 'is required: the `aud` value(s) the API accepts, comma-separated.',
    },
    {
      name: 'a symmetric algorithm',
      document: { issuers: [{ ...valid, algorithms: ['RS256', 'HS256'] }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[0].algorithms`,
      problem: '"HS256" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).',
    },
    {
      name: 'a plain-http jwksUri off loopback',
      document: { issuers: [valid, valid, { issuer: 'https://c.example.com', audience: ['api'], jwksUri: 'http://c.example.com/jwks' }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[2].jwksUri`,
      problem: 'must use https (plain http is allowed only for loopback addresses): "http://c.example.com/jwks".',
    },
    {
      name: 'a misspelt field',
      document: { issuers: [{ ...valid, roleClaim: 'groups' }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[0]`,
      problem: 'has an unknown field "roleClaim".',
    },
    {
      name: 'an opt-in that is not a boolean',
      document: { issuers: [{ ...valid, allowMissingAudience: 'true' }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[0].allowMissingAudience`,
      problem: 'must be true or false.',
    },
    {
      name: 'an issuer listed twice',
      document: { issuers: [valid, { ...valid, audience: ['other'] }] },
      variable: (path) => `AUTH_CONFIG ${path} issuers[1].issuer`,
      problem: '"https://a.example.com" is listed twice.',
    },
    {
      name: 'two entries that accept tokens without iss',
      document: {
        issuers: [
          { ...valid, allowMissingIssuer: true },
          { issuer: 'https://b.example.com', audience: ['api'], allowMissingIssuer: true },
        ],
      },
      variable: (path) => `AUTH_CONFIG ${path}`,
      problem: 'allowMissingIssuer may be set on one issuer at most: a token without "iss" must have exactly one place to go.',
    },
    {
      name: 'a file that is not JSON',
      document: '{"issuers": [',
      variable: (path) => `AUTH_CONFIG ${path}`,
      problem: 'is not valid JSON.',
    },
  ];
  for (const { name, document, variable, problem } of cases) {
    test(`${name} is named by file, entry and field`, async () => {
      const path = await configFile(`${name.replaceAll(' ', '-')}.json`, document);
      assert.throws(
        () => loadConfig({ AUTH_CONFIG: path }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.variable, variable(path));
          assert.equal(error.message, `${variable(path)}: ${problem}`);
          return true;
        },
      );
    });
  }
});
