#!/usr/bin/env node
// The `claimgate` bin: `serve`, `token`, `report`. Runs on the compiled
// output in dist (plain node, no tsx); containers should run it (or node)
// directly, so SIGTERM reaches the server.
import { REPORT_USAGE } from './report-usage.ts';

const USAGE = `usage: claimgate <command> [options]

commands:
  serve     run the API, as npm start does (configured by environment variables: see the README)
  token     mint a token for the embedded development issuer, as npm run token does
  report    print what protects every field of a schema (--json, --fail-on-unprotected)
  help      this text, or \`claimgate help <command>\`
`;

const HELP: Readonly<Record<string, string>> = {
  serve: `usage: claimgate serve

Runs the example API with claimgate on HOST:PORT (default 127.0.0.1:4000).
Without AUTH_ISSUER it runs the embedded development issuer. Every setting is
an environment variable (AUTH_*, LIMIT_*, PORT, HOST): see the README.
SIGTERM and SIGINT stop it gracefully.
`,
  token: `usage: claimgate token [--sub <subject>] [--role <role>]... [--scope <scope>]... [--ttl 15m] [--claim name=json]... [--issuer <url>]

Mints a token for the embedded development issuer of \`claimgate serve\` started
with the same HOST and PORT (only when AUTH_ISSUER is unset), or for --issuer.
Prints the token alone on stdout and the issuer it is for on stderr.
`,
  report: REPORT_USAGE,
};

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    err(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h') {
    out(USAGE);
    return 0;
  }
  if (command === 'help') {
    if (rest.length === 0) {
      out(USAGE);
      return 0;
    }
    const help = Object.hasOwn(HELP, rest[0]!) ? HELP[rest[0]!] : undefined;
    if (help === undefined) {
      err(`claimgate: unknown command "${rest[0]}".\n${USAGE}`);
      return 2;
    }
    out(help);
    return 0;
  }
  if (command !== 'serve' && command !== 'token' && command !== 'report') {
    err(`claimgate: unknown command "${command}".\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(HELP[command]!);
    return 0;
  }
  // Loaded only when needed, so help and usage answer without loading GraphQL.
  if (command === 'report') return (await import('./report-command.ts')).reportCommand(rest, out, err);
  if (command === 'serve' && rest.length > 0) {
    err(`claimgate serve: takes no arguments (configure it with environment variables), got "${rest[0]}".\n`);
    return 2;
  }
  if (command === 'token') return (await import('../dev/mint-token-cli.ts')).main(rest, process.env);
  // serve is the script npm start runs: it reads process.argv itself, so the
  // command name is taken out first.
  process.argv.splice(2, 1);
  await import('../main.ts');
  return undefined;
}

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
