import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Logger } from './log.ts';

/** Levels a pino logger accepts (LOG_LEVEL). */
export const LOG_LEVELS = Object.freeze(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const);
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Fields that carry credentials, removed from every line wherever a caller
 * puts them (top level, one level down, or in a `headers` object): set once
 * here, not at each call site.
 */
export const REDACTED_PATHS = Object.freeze([
  'authorization', 'cookie', 'set-cookie', 'token', 'accessToken', 'access_token', 'idToken', 'id_token', 'refreshToken', 'refresh_token',
  '*.authorization', '*.cookie', '*["set-cookie"]', '*.token', '*.accessToken', '*.access_token', '*.idToken', '*.id_token', '*.refreshToken', '*.refresh_token',
  'req.headers.authorization', 'req.headers.cookie', 'request.headers.authorization', 'request.headers.cookie',
]);

/** A compact JWS (three base64url parts, the first a JSON header) or a Bearer credential inside a message. */
const CREDENTIAL_IN_TEXT = /\beyJ[\w-]*\.[\w-]*\.[\w-]*|\bBearer\s+[\w.~+/-]+=*/gi;

export interface PinoLoggerOptions {
  /** Lowest level written. Default `info`. */
  readonly level?: LogLevel | undefined;
  /** Where lines go. Default: stderr, buffered and flushed at exit. */
  readonly destination?: DestinationStream | undefined;
}

/**
 * claimgate's logger for the app: pino, one JSON line per event —
 * `{"level":"warn","time":"…","event":"token.rejected",…fields}` — with
 * credential-bearing fields redacted and token-shaped text in messages
 * masked. The level is a name, so `grep '"level":"error"'` works.
 */
export function createPinoLogger(options: PinoLoggerOptions = {}): Logger & { readonly pino: Pino } {
  const instance = pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: maskCredentials,
      },
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
  return { ...loggerFromPino(instance), pino: instance };
}

/**
 * claimgate's Logger over any pino logger (yours, or Fastify's `app.log`):
 * each event is one line with `event` and its fields.
 *
 * @example useClaimgate({ issuers, logger: loggerFromPino(pino()) })
 */
export function loggerFromPino(instance: Pino): Logger {
  return {
    info: (event, fields) => instance.info({ event, ...fields }),
    warn: (event, fields) => instance.warn({ event, ...fields }),
    error: (event, fields) => instance.error({ event, ...fields }),
  };
}

/** Masks token-shaped text in the line's string fields (library messages can quote what they were given). */
function maskCredentials(object: Record<string, unknown>): Record<string, unknown> {
  let masked: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(object)) {
    if (typeof value !== 'string') continue;
    CREDENTIAL_IN_TEXT.lastIndex = 0;
    if (!CREDENTIAL_IN_TEXT.test(value)) continue;
    masked ??= { ...object };
    masked[key] = value.replace(CREDENTIAL_IN_TEXT, '[redacted]');
  }
  return masked ?? object;
}
