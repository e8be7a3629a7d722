// The entry point of `npm start`: the only place that reads process.env.
import { hasClaimgateCode } from './claimgate-error.ts';
import { ConfigError } from './config/config-error.ts';
import { DEFAULTS } from './config/defaults.ts';
import { loadConfig, type Config } from './server/load-config.ts';
import { AuthSchemaError } from './directives/auth-schema-error.ts';
import { mintDevToken } from './dev/dev-issuer.ts';
import { startServer } from './server/start-server.ts';

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!hasClaimgateCode(error, ConfigError.code)) throw error;
  process.stderr.write(`claimgate: configuration error: ${(error as ConfigError).message}\n`);
  process.exit(2);
}

let server;
try {
  server = await startServer(config);
} catch (error) {
  // Misused directives and unusable addresses are the user's to fix: one line, no stack.
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (hasClaimgateCode(error, AuthSchemaError.code) || hasClaimgateCode(error, ConfigError.code)) {
    process.stderr.write(`claimgate: cannot start: ${(error as Error).message}\n`);
  } else if (syscall === 'listen' || syscall === 'getaddrinfo') {
    process.stderr.write(`claimgate: cannot listen on HOST=${config.host} PORT=${config.port}: ${code} (set HOST and PORT to a free local address).\n`);
  } else {
    process.stderr.write(`claimgate: cannot start: ${String((error as Error).stack)}\n`);
  }
  process.exit(1);
}

const banner = [`claimgate listening on ${server.graphqlUrl}`, `  health: ${server.origin}/healthz   ready: ${server.origin}/readyz`];
if (server.devKey !== undefined) {
  const token = await mintDevToken(server.devKey, { issuer: server.issuers[0]!.issuer, subject: DEFAULTS.devTokenSubject, roles: ['admin', 'editor'] });
  banner.push(
    '',
    'Development issuer (AUTH_ISSUER is unset). Try:',
    `  curl -s ${server.graphqlUrl} -H 'content-type: application/json' \\`,
    `    -H 'authorization: Bearer ${token}' \\`,
    `    -d '{"query":"{ me { sub roles } adminReport }"}'`,
    '',
    `Mint other tokens with: TOKEN=$(${tokenAddress(config)}npm run -s token -- --sub bob --role editor --ttl 15m)`,
  );
}
process.stdout.write(`${banner.join('\n')}\n`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

/** The HOST/PORT prefix `npm run token` needs to mint for this server: empty on the defaults. */
function tokenAddress(running: Config): string {
  const host = running.host === DEFAULTS.host ? '' : `HOST=${running.host} `;
  const port = running.port === DEFAULTS.port ? '' : `PORT=${running.port} `;
  return host + port;
}
