// `npm run -s token -- --sub alice --role admin --scope reports:read --ttl 15m --claim email_verified=true`
// Mints a token for the embedded development issuer of `npm start`: the one at
// the HOST and PORT the server reads (the same variables), or at --issuer.
// The token alone goes to stdout, so `TOKEN=$(npm run -s token -- --role editor)`
// works; what it was minted for goes to stderr.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { hasClaimgateCode } from '../claimgate-error.ts';
import { ConfigError } from '../config/config-error.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { loadConfig } from '../server/load-config.ts';
import { devIssuerUrl, mintDevToken } from './dev-issuer.ts';
import { loadDevSigningKey } from './dev-signing-key.ts';

const USAGE = `usage: npm run -s token -- [--sub <subject>] [--role <role>]... [--scope <scope>]... [--ttl 15m] [--claim name=json]... [--issuer <url>]

Mints a token for the development issuer of \`npm start\` (AUTH_ISSUER unset) and prints it alone on stdout:
  TOKEN=$(npm run -s token -- --role editor)

  --sub <subject>     the token's sub (default ${DEFAULTS.devTokenSubject})
  --role <role>       a role in the roles claim; repeat for several
  --scope <scope>     a scope in the scope claim; repeat for several
  --ttl <duration>    lifetime: 90s, 15m or 2h (default ${DEFAULTS.devTokenTtlSeconds / 60}m)
  --claim name=value  any other claim; the value is read as JSON when it parses (true, 3, ["a"])
  --issuer <url>      the dev issuer to mint for (default: the one npm start serves at HOST and PORT,
                      ${DEFAULTS.host}:${DEFAULTS.port} unless set, i.e. http://<HOST>:<PORT>${DEFAULTS.devIssuerPath})
  --help              this text`;

/** Where the CLI writes; the process's streams unless a caller (the `claimgate` bin, a test) passes its own. */
export interface TokenCliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processOutput: TokenCliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs `claimgate token` with `argv` (the arguments after the command) and
 * `env` (HOST and PORT name the server, as for `npm start`). Resolves to the
 * exit code: 0, or 2 for a usage or configuration error.
 *
 * @example process.exitCode = await main(process.argv.slice(2), process.env)
 */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, output: TokenCliOutput = processOutput): Promise<number> {
  const fail = (message: string): number => {
    output.stderr(`claimgate token: ${message}\n${USAGE}\n`);
    return 2;
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        sub: { type: 'string', default: DEFAULTS.devTokenSubject },
        role: { type: 'string', multiple: true, default: [] },
        scope: { type: 'string', multiple: true, default: [] },
        ttl: { type: 'string', default: `${DEFAULTS.devTokenTtlSeconds / 60}m` },
        claim: { type: 'string', multiple: true, default: [] },
        issuer: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    output.stdout(`${USAGE}\n`);
    return 0;
  }

  const ttl = /^(\d+)(s|m|h)?$/.exec(values.ttl);
  if (ttl === null || Number(ttl[1]) === 0) return fail(`--ttl must look like 90s, 15m or 2h, not "${values.ttl}"`);
  const ttlSeconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600 }[(ttl[2] ?? 's') as 's' | 'm' | 'h'];

  const claims: Record<string, unknown> = {};
  for (const pair of values.claim) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return fail(`--claim must be name=value, not "${pair}"`);
    const raw = pair.slice(eq + 1);
    try {
      claims[pair.slice(0, eq)] = JSON.parse(raw);
    } catch {
      claims[pair.slice(0, eq)] = raw;
    }
  }

  let issuer: string;
  let where: string;
  if (values.issuer !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(values.issuer);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
      return fail(`--issuer must be the dev issuer's URL, like http://127.0.0.1:4000${DEFAULTS.devIssuerPath}, not ${JSON.stringify(values.issuer)}`);
    }
    issuer = values.issuer;
    where = '--issuer';
  } else {
    let config;
    try {
      config = loadConfig(env);
    } catch (error) {
      if (hasClaimgateCode(error, ConfigError.code)) return fail((error as ConfigError).message);
      throw error;
    }
    if (!config.devIssuer) return fail('AUTH_ISSUER is set: tokens come from your identity provider, not from claimgate (or name a dev issuer with --issuer).');
    // The server's own address: what it listens on is what it calls itself.
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '[::1]' : config.host.includes(':') ? `[${config.host}]` : config.host;
    issuer = devIssuerUrl(`http://${host}:${config.port}`);
    where = `npm start with HOST=${config.host} PORT=${config.port}`;
  }

  const token = await mintDevToken(await loadDevSigningKey(), {
    issuer,
    subject: values.sub,
    roles: values.role,
    scopes: values.scope,
    ttlSeconds,
    claims,
  });
  output.stdout(`${token}\n`);
  output.stderr(`claimgate token: for issuer ${issuer} (${where}); sub ${values.sub}; expires in ${values.ttl}\n`);
  return 0;
}

/** Whether this file is the program being run (`npm run token`), not a module imported by the bin or a test. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2), process.env);
