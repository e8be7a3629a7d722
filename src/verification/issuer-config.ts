import { DEFAULTS } from '../config/defaults.ts';
import { ConfigError } from '../config/config-error.ts';
import { isAllowedKeyUrl } from '../keys/fetch-bounded.ts';
import { parseClaimPath, type ClaimPath } from '../principal/claim-path.ts';

/** How tokens of one issuer are verified. */
export interface IssuerConfig {
  /** Expected `iss`, compared byte for byte. */
  readonly issuer: string;
  /** Accepted `aud` values; any one must match. */
  readonly audience: readonly string[];
  /** JWKS URL; when undefined, keys are found through OIDC discovery. */
  readonly jwksUri: URL | undefined;
  /** Allowed `alg` values. */
  readonly algorithms: readonly string[];
  /** Where roles live. */
  readonly rolesClaim: ClaimPath;
  /** Where scopes live; undefined reads `scope` and `scp`. */
  readonly scopesClaim: ClaimPath | undefined;
  /** Required `typ` header (e.g. `at+jwt`, RFC 9068); undefined accepts any. */
  readonly tokenType: string | undefined;
  /** Required `token_use` claim (Cognito: `access`); undefined accepts any. */
  readonly tokenUse: string | undefined;
  /** Opt-in: a token with no `iss` is verified with this issuer's keys alone. */
  readonly allowMissingIssuer: boolean;
  /** Opt-in: a token with no `aud` is accepted (one with an `aud` must still match). */
  readonly allowMissingAudience: boolean;
}

const SYMMETRIC_OR_NONE = /^(none|HS\d+)$/i;
const KNOWN_ALGORITHMS = new Set([...DEFAULTS.algorithms, 'Ed25519']);

/** The fields of one issuer, wherever they come from (env, AUTH_CONFIG, code). */
export interface RawIssuer {
  issuer?: unknown;
  audience?: unknown;
  jwksUri?: unknown;
  algorithms?: unknown;
  rolesClaim?: unknown;
  scopesClaim?: unknown;
  tokenType?: unknown;
  tokenUse?: unknown;
  allowMissingIssuer?: unknown;
  allowMissingAudience?: unknown;
}

/** Names the place of each field in error messages. */
export type Namer = (field: keyof RawIssuer) => string;

/**
 * One issuer's configuration from its fields, defaulted exactly as the
 * environment variables are; throws ConfigError naming the field.
 *
 * @example createIssuerConfig({ issuer: 'https://id.example.com', audience: ['api'] })
 */
export function createIssuerConfig(fields: RawIssuer): IssuerConfig {
  return buildIssuer(fields, (field) => field);
}

export function buildIssuer(raw: RawIssuer, name: Namer): IssuerConfig {
  const issuer = raw.issuer;
  if (typeof issuer !== 'string' || issuer === '') {
    throw new ConfigError(name('issuer'), 'must be a non-empty string (the exact `iss` of the tokens).');
  }
  const audience = stringList(raw.audience, name('audience'));
  if (audience === undefined) {
    throw new ConfigError(name('audience'), `is required: the \`aud\` value(s) the API accepts, comma-separated.`);
  }
  const jwksUri = raw.jwksUri === undefined ? undefined : keyUrl(raw.jwksUri, name('jwksUri'));
  if (jwksUri === undefined) {
    // Discovery needs a URL to append the well-known path to.
    keyUrl(issuer, name('issuer'), ' (or set the JWKS URL explicitly to skip discovery)');
  }
  const algorithms = stringList(raw.algorithms, name('algorithms')) ?? [...DEFAULTS.algorithms];
  for (const algorithm of algorithms) {
    if (SYMMETRIC_OR_NONE.test(algorithm)) {
      throw new ConfigError(
        name('algorithms'),
        `"${algorithm}" is refused: only asymmetric algorithms are allowed (a shared secret in a public JWKS is no secret).`,
      );
    }
    if (!KNOWN_ALGORITHMS.has(algorithm)) {
      throw new ConfigError(name('algorithms'), `"${algorithm}" is not a known JWS algorithm (${DEFAULTS.algorithms.join(', ')}).`);
    }
  }
  return Object.freeze({
    issuer,
    audience: Object.freeze(audience),
    jwksUri,
    algorithms: Object.freeze(algorithms),
    rolesClaim: claimPath(raw.rolesClaim ?? DEFAULTS.rolesClaim, name('rolesClaim')),
    scopesClaim: raw.scopesClaim === undefined ? undefined : claimPath(raw.scopesClaim, name('scopesClaim')),
    tokenType: mediaType(optionalString(raw.tokenType, name('tokenType')), name('tokenType')),
    tokenUse: optionalString(raw.tokenUse, name('tokenUse')),
    allowMissingIssuer: boolean(raw.allowMissingIssuer, name('allowMissingIssuer')),
    allowMissingAudience: boolean(raw.allowMissingAudience, name('allowMissingAudience')),
  });
}

function keyUrl(value: unknown, variable: string, hint = ''): URL {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw new ConfigError(variable, `must be an absolute URL${hint}.`);
  }
  const url = new URL(value);
  if (isAllowedKeyUrl(url)) return url;
  throw new ConfigError(variable, `must use https (plain http is allowed only for loopback addresses): "${value}".`);
}

function claimPath(value: unknown, variable: string): ClaimPath {
  if (typeof value !== 'string') throw new ConfigError(variable, 'must be a claim name or a JSON Pointer.');
  try {
    return parseClaimPath(value);
  } catch (error) {
    throw new ConfigError(variable, `${(error as Error).message}.`);
  }
}

export function stringList(value: unknown, variable: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? splitList(value) : value;
  if (!Array.isArray(items) || items.length === 0 || !items.every((item) => typeof item === 'string' && item !== '')) {
    throw new ConfigError(variable, 'must be a non-empty list of non-empty strings.');
  }
  return [...new Set(items as string[])];
}

/** A `typ` value (RFC 7515 4.1.9): a media type, `application/` optional, e.g. `at+jwt`. */
function mediaType(value: string | undefined, variable: string): string | undefined {
  const token = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
  if (value !== undefined && !new RegExp(`^${token}(/${token})?$`).test(value)) {
    throw new ConfigError(variable, `"${value}" is not a media type (e.g. at+jwt or application/at+jwt).`);
  }
  return value;
}

function optionalString(value: unknown, variable: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ConfigError(variable, 'must be a non-empty string.');
  return value;
}

function boolean(value: unknown, variable: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConfigError(variable, 'must be true or false.');
  return value;
}

export function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}
