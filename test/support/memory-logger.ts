import type { Logger } from '../../src/telemetry/log.ts';

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly event: string;
  readonly fields: Record<string, unknown>;
}

/** Captures log lines in memory. Its own module, so unit tests need not load the server (test-api.ts re-exports it). */
export function createMemoryLogger(logs: LogLine[]): Logger {
  const log = (level: LogLine['level']) => (event: string, fields: Record<string, unknown> = {}) => logs.push({ level, event, fields });
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
