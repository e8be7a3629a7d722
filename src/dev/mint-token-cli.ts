// `npm run token -- --sub alice --role admin --scope reports:read --ttl 15m --claim email_verified=true`
// Mints a token for the embedded development issuer of `npm start` (same HOST and PORT).
import { parseArgs } from 'node:util';
import { hasClaimgateCode } from '../claimgate-error.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import { devIssuerUrl, mintDevToken } from './dev-issuer.ts';
import { loadDevSigningKey } from './dev-signing-key.ts';

const USAGE = 'usage: npm run token -- --sub <subject> [--role <role>]... [--scope <scope>]... [--ttl 15m] [--claim name=json]...';

function fail(message: string): never {
  process.stderr.write(`claimgate token: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'alice' },
      role: { type: 'string', multiple: true, default: [] },
      scope: { type: 'string', multiple: true, default: [] },
      ttl: { type: 'string', default: '15m' },
      claim: { type: 'string', multiple: true, default: [] },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}

const ttl = /^(\d+)(s|m|h)?$/.exec(values.ttl);
if (ttl === null) fail(`--ttl must look like 90s, 15m or 2h, not "${values.ttl}"`);
const ttlSeconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600 }[(ttl[2] ?? 's') as 's' | 'm' | 'h'];

const claims: Record<string, unknown> = {};
for (const pair of values.claim) {
  const eq = pair.indexOf('=');
  if (eq <= 0) fail(`--claim must be name=value, not "${pair}"`);
  const raw = pair.slice(eq + 1);
  try {
    claims[pair.slice(0, eq)] = JSON.parse(raw);
  } catch {
    claims[pair.slice(0, eq)] = raw;
  }
}

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (hasClaimgateCode(error, ConfigError.code)) fail((error as ConfigError).message);
  throw error;
}
if (!config.devIssuer) fail('AUTH_ISSUER is set: tokens come from your identity provider, not from claimgate.');

const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
const issuer = devIssuerUrl(`http://${host}:${config.port}`);
const token = await mintDevToken(await loadDevSigningKey(), {
  issuer,
  subject: values.sub,
  roles: values.role,
  scopes: values.scope,
  ttlSeconds,
  claims,
});
process.stdout.write(`${token}\n`);
