import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../config/defaults.ts';
import { ConfigError } from '../config/config-error.ts';
import type { AuthMode } from '../directives/auth-directive-transformer.ts';
import type { Enforcement } from '../directives/auth-runtime.ts';
import type { OperationLimits } from '../limits/operation-limits.ts';
import type { SubscriptionBounds } from '../plugin/use-claimgate.ts';
import { buildIssuer, splitList, stringList, type IssuerConfig, type Namer, type RawIssuer } from '../verification/issuer-config.ts';
import { LOG_LEVELS, type LogLevel } from '../telemetry/pino-logger.ts';


export interface Config {
  readonly port: number;
  readonly host: string;
  readonly mode: AuthMode;
  /** `enforce`, or `audit`: requirements are evaluated and would-be denials logged, nothing is denied (AUTH_ENFORCEMENT). */
  readonly enforcement: Enforcement;
  /** Cookie read when a request has no Authorization header; undefined ignores cookies. */
  readonly cookieName: string | undefined;
  /** Origins allowed to call with cookies (CORS); only used when cookieName is set. */
  readonly corsOrigins: readonly string[];
  /** Allowed clock skew on exp, nbf and iat, in seconds. */
  readonly clockToleranceSeconds: number;
  /** Trusted issuers; empty when the embedded development issuer is used. */
  readonly issuers: readonly IssuerConfig[];
  /** True when no issuer is configured: `npm start` runs the embedded dev issuer. */
  readonly devIssuer: boolean;
  /** Operation limits from LIMIT_* (each defaults to DEFAULTS.limits). */
  readonly limits: OperationLimits;
  /** Lowest level logged (LOG_LEVEL). */
  readonly logLevel: LogLevel;
  /** Whether Prometheus metrics are served (METRICS). */
  readonly metrics: boolean;
  /** Port of a separate metrics listener on HOST (METRICS_PORT); undefined serves them on PORT. */
  readonly metricsPort: number | undefined;
  /** WebSocket bounds from LIMIT_WS_* (each defaults to DEFAULTS.subscriptions). */
  readonly subscriptions: SubscriptionBounds;
}

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Reads the AUTH_CONFIG file; defaults to a synchronous UTF-8 read. */
  readonly readFile?: (path: string) => string;
}


/**
 * Reads and checks the whole configuration from environment variables (and
 * the AUTH_CONFIG file they may name). Returns a frozen, fully defaulted
 * object, or throws one ConfigError naming the variable and the fix.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  checkVariableNames(env);
  const port = integer(env, 'PORT', DEFAULTS.port, 0, 65_535);
  const host = nonEmpty(env, 'HOST') ?? DEFAULTS.host;
  const mode = authMode(env);
  const cookieName = cookie(env);
  const corsOrigins = list(env, 'CORS_ORIGINS') ?? [];
  for (const origin of corsOrigins) checkOrigin(origin);
  const clockToleranceSeconds = integer(env, 'AUTH_CLOCK_TOLERANCE', DEFAULTS.clockToleranceSeconds, 0, 300);

  const configFile = nonEmpty(env, 'AUTH_CONFIG');
  const singleIssuerVariables = SINGLE_ISSUER_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== '');
  let issuers: IssuerConfig[];
  if (configFile !== undefined) {
    if (singleIssuerVariables.length > 0) {
      throw new ConfigError(
        'AUTH_CONFIG',
        `cannot be combined with ${singleIssuerVariables.join(', ')}; put every issuer in the file, or unset AUTH_CONFIG.`,
      );
    }
    issuers = issuersFromFile(configFile, options.readFile ?? ((path) => readFileSync(path, 'utf8')));
  } else if (env.AUTH_ISSUER !== undefined && env.AUTH_ISSUER !== '') {
    issuers = [issuerFromEnv(env)];
  } else {
    const stray = singleIssuerVariables.filter((name) => name !== 'AUTH_ISSUER');
    if (stray.length > 0) {
      throw new ConfigError('AUTH_ISSUER', `is required when ${stray.join(', ')} is set.`);
    }
    if (env.NODE_ENV === 'production') {
      throw new ConfigError(
        'AUTH_ISSUER',
        'is required when NODE_ENV=production: the embedded development issuer never runs in production.',
      );
    }
    issuers = [];
  }

  return Object.freeze({
    port,
    host,
    mode,
    enforcement: enforcement(env),
    cookieName,
    corsOrigins: Object.freeze(corsOrigins),
    clockToleranceSeconds,
    issuers: Object.freeze(issuers),
    devIssuer: issuers.length === 0,
    limits: limitsFromEnv(env),
    subscriptions: Object.freeze({
      maxPerConnection: integer(env, 'LIMIT_WS_MAX_SUBSCRIPTIONS', DEFAULTS.subscriptions.maxPerConnection, 1, 10_000),
      connectionInitTimeoutMs: integer(env, 'LIMIT_WS_INIT_TIMEOUT_MS', DEFAULTS.subscriptions.connectionInitTimeoutMs, 1, 600_000),
    }),
    ...observabilityFromEnv(env, port),
  });
}

const SINGLE_ISSUER_VARIABLES = [
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
  'AUTH_ALGORITHMS',
  'AUTH_ROLES_CLAIM',
  'AUTH_SCOPES_CLAIM',
  'AUTH_TOKEN_TYPE',
  'AUTH_TOKEN_USE',
  'AUTH_ALLOW_MISSING_ISSUER',
  'AUTH_ALLOW_MISSING_AUDIENCE',
] as const;


function issuerFromEnv(env: Env): IssuerConfig {
  const name: Namer = (field) => ENV_NAMES[field];
  return buildIssuer(
    {
      issuer: env.AUTH_ISSUER,
      audience: list(env, 'AUTH_AUDIENCE'),
      jwksUri: nonEmpty(env, 'AUTH_JWKS_URI'),
      algorithms: list(env, 'AUTH_ALGORITHMS'),
      rolesClaim: nonEmpty(env, 'AUTH_ROLES_CLAIM'),
      scopesClaim: nonEmpty(env, 'AUTH_SCOPES_CLAIM'),
      tokenType: nonEmpty(env, 'AUTH_TOKEN_TYPE'),
      tokenUse: nonEmpty(env, 'AUTH_TOKEN_USE'),
      allowMissingIssuer: flag(env, 'AUTH_ALLOW_MISSING_ISSUER'),
      allowMissingAudience: flag(env, 'AUTH_ALLOW_MISSING_AUDIENCE'),
    },
    name,
  );
}

const ENV_NAMES: Record<keyof RawIssuer, string> = {
  issuer: 'AUTH_ISSUER',
  audience: 'AUTH_AUDIENCE',
  jwksUri: 'AUTH_JWKS_URI',
  algorithms: 'AUTH_ALGORITHMS',
  rolesClaim: 'AUTH_ROLES_CLAIM',
  scopesClaim: 'AUTH_SCOPES_CLAIM',
  tokenType: 'AUTH_TOKEN_TYPE',
  tokenUse: 'AUTH_TOKEN_USE',
  allowMissingIssuer: 'AUTH_ALLOW_MISSING_ISSUER',
  allowMissingAudience: 'AUTH_ALLOW_MISSING_AUDIENCE',
};

function issuersFromFile(path: string, readFile: (path: string) => string): IssuerConfig[] {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError('AUTH_CONFIG', `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new ConfigError(`AUTH_CONFIG ${path}`, 'is not valid JSON.');
  }
  if (!isPlainObject(document) || !Array.isArray(document.issuers) || document.issuers.length === 0) {
    throw new ConfigError(`AUTH_CONFIG ${path}`, 'must be an object with a non-empty "issuers" array.');
  }
  for (const key of Object.keys(document)) {
    if (key !== 'issuers') throw new ConfigError(`AUTH_CONFIG ${path}`, `has an unknown field "${key}".`);
  }
  const issuers = document.issuers.map((entry: unknown, index: number) => {
    const where = `AUTH_CONFIG ${path} issuers[${index}]`;
    if (!isPlainObject(entry)) throw new ConfigError(where, 'must be an object.');
    for (const key of Object.keys(entry)) {
      if (!(key in ENV_NAMES)) throw new ConfigError(where, `has an unknown field "${key}".`);
    }
    return buildIssuer(entry as RawIssuer, (field) => `${where}.${field}`);
  });
  const seen = new Set<string>();
  issuers.forEach((issuer, index) => {
    if (seen.has(issuer.issuer)) {
      throw new ConfigError(`AUTH_CONFIG ${path} issuers[${index}].issuer`, `"${issuer.issuer}" is listed twice.`);
    }
    seen.add(issuer.issuer);
  });
  if (issuers.filter((issuer) => issuer.allowMissingIssuer).length > 1) {
    throw new ConfigError(
      `AUTH_CONFIG ${path}`,
      'allowMissingIssuer may be set on one issuer at most: a token without "iss" must have exactly one place to go.',
    );
  }
  return issuers;
}


function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value.trim() !== value) throw new ConfigError(name, `has leading or trailing white space: ${JSON.stringify(value)}; remove it.`);
  return value;
}

const LIMIT_VARIABLES = {
  LIMIT_MAX_TOKENS: 'maxTokens',
  LIMIT_MAX_DEPTH: 'maxDepth',
  LIMIT_MAX_ALIASES: 'maxAliases',
  LIMIT_MAX_DIRECTIVES: 'maxDirectives',
  LIMIT_MAX_COST: 'maxCost',
  LIMIT_MAX_LIST_ITEMS: 'maxListItems',
  LIMIT_DEFAULT_LIST_SIZE: 'defaultListSize',
} as const;

/** Every variable claimgate reads under its prefixes; any other AUTH_* or LIMIT_* is a typo. */
const KNOWN_VARIABLES: readonly string[] = [
  ...SINGLE_ISSUER_VARIABLES,
  'AUTH_CLOCK_TOLERANCE',
  'AUTH_CONFIG',
  'AUTH_MODE',
  'AUTH_ENFORCEMENT',
  'AUTH_COOKIE',
  ...Object.keys(LIMIT_VARIABLES),
  'LIMIT_LIST_SIZE_ARGUMENTS',
  'LIMIT_WS_MAX_SUBSCRIPTIONS',
  'LIMIT_WS_INIT_TIMEOUT_MS',
  'METRICS_PORT',
];

function checkVariableNames(env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    const ours = /^(AUTH|LIMIT|METRICS)_/.test(name);
    if ((ours || name === 'PORT' || name === 'HOST' || name === 'CORS_ORIGINS') && value !== undefined && value.trim() !== value) {
      throw new ConfigError(name, `has leading or trailing white space: ${JSON.stringify(value)}; remove it.`);
    }
    if (!ours || KNOWN_VARIABLES.includes(name)) continue;
    const nearest = [...KNOWN_VARIABLES].sort((a, b) => distance(name, a) - distance(name, b))[0]!;
    throw new ConfigError(name, `is not a claimgate variable; did you mean ${nearest}? (unset it if it belongs to something else).`);
  }
}

/** Levenshtein distance, for the "did you mean" of a mistyped variable. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function list(env: Env, name: string): string[] | undefined {
  const value = nonEmpty(env, name);
  return value === undefined ? undefined : stringList(value, name);
}

function flag(env: Env, name: string): boolean | undefined {
  const value = nonEmpty(env, name);
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(name, `must be "true" or "false", not "${value}".`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = nonEmpty(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, not "${value}".`);
  }
  return Number(value);
}


function limitsFromEnv(env: Env): OperationLimits {
  const limits: Record<string, unknown> = { ...DEFAULTS.limits };
  for (const [variable, option] of Object.entries(LIMIT_VARIABLES)) {
    limits[option] = integer(env, variable, DEFAULTS.limits[option], 1, 1_000_000_000);
  }
  const names = list(env, 'LIMIT_LIST_SIZE_ARGUMENTS');
  if (names !== undefined) {
    for (const name of names) {
      if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) throw new ConfigError('LIMIT_LIST_SIZE_ARGUMENTS', `"${name}" is not a GraphQL argument name.`);
    }
    limits.listSizeArguments = Object.freeze(names);
  }
  return Object.freeze(limits) as unknown as OperationLimits;
}

function authMode(env: Env): AuthMode {
  const value = nonEmpty(env, 'AUTH_MODE') ?? DEFAULTS.mode;
  if (value !== 'default' && value !== 'protect-all') {
    throw new ConfigError('AUTH_MODE', `must be "default" or "protect-all", not "${value}".`);
  }
  return value;
}

function enforcement(env: Env): Enforcement {
  const value = nonEmpty(env, 'AUTH_ENFORCEMENT') ?? DEFAULTS.enforcement;
  if (value !== 'enforce' && value !== 'audit') {
    throw new ConfigError('AUTH_ENFORCEMENT', `must be "enforce" or "audit", not "${value}".`);
  }
  return value;
}

function cookie(env: Env): string | undefined {
  const value = nonEmpty(env, 'AUTH_COOKIE');
  // RFC 6265 cookie-name is an RFC 7230 token.
  if (value !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value)) {
    throw new ConfigError('AUTH_COOKIE', `"${value}" is not a valid cookie name.`);
  }
  return value;
}

function checkOrigin(origin: string): void {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
    throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash).`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** LOG_LEVEL, METRICS and METRICS_PORT. */
function observabilityFromEnv(env: Env, port: number): Pick<Config, 'logLevel' | 'metrics' | 'metricsPort'> {
  const logLevel = nonEmpty(env, 'LOG_LEVEL') ?? DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}".`);
  }
  const switched = nonEmpty(env, 'METRICS');
  if (switched !== undefined && !['on', 'off', 'true', 'false'].includes(switched)) {
    throw new ConfigError('METRICS', `must be "on" or "off", not "${switched}".`);
  }
  const metrics = switched === undefined ? DEFAULTS.metrics : switched === 'on' || switched === 'true';
  const metricsPort = nonEmpty(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65_535);
  if (metricsPort !== undefined && !metrics) throw new ConfigError('METRICS_PORT', 'is set while METRICS=off; unset one of them.');
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port}); unset it to serve metrics on PORT.`);
  }
  return { logLevel: logLevel as LogLevel, metrics, metricsPort };
}
