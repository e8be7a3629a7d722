/** Where claimgate writes its structured log lines. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Discards everything (for tests and embedding). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
