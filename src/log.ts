/** Where claimgate writes its structured log lines. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line on stderr: easy to read and to ship. */
export function createJsonLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Discards everything (for tests and embedding). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
