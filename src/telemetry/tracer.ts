import { trace } from '@opentelemetry/api';

/**
 * claimgate's OpenTelemetry tracer. A no-op until the application registers
 * an SDK (a proxy: spans start recording once one is registered, whenever
 * that happens). Span attributes come from configuration and closed sets
 * only: never a token, a claim or a header value.
 */
export const tracer = trace.getTracer('claimgate');

/** Span and attribute names, written once. */
export const SPANS = Object.freeze({
  verifyToken: 'claimgate.verify_token',
  fetchKeys: 'claimgate.fetch_keys',
  /** Event added to the operation's active span when a field is refused. */
  denied: 'claimgate.authorization_denied',
});
