/** Where claimgate writes its structured log lines. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/**
 * One JSON object per line on stderr: easy to read and to ship. Lines are
 * gathered and written once per event-loop turn (and at exit), because a
 * write to a pipe is synchronous and a flood of rejected tokens would
 * otherwise pay one system call each.
 */
export function createJsonLogger(write: (text: string) => void = (text) => process.stderr.write(text)): Logger {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  process.once('exit', flush);
  const log = (level: string) => (event: string, fields: Record<string, unknown> = {}) => {
    if (pending === '') setImmediate(flush);
    pending += `${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`;
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Discards everything (for tests and embedding). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
