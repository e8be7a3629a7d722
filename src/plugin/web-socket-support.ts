import type { Logger } from '../telemetry/log.ts';
import type { Principal } from '../principal/principal.ts';
import type { TokenVerifier } from '../verification/token-verifier.ts';
import type { TokenLifetime } from './token-lifetime.ts';

/** What `attachWebSockets` needs from a `useClaimgate` plugin: its verifier, its rules and its bounds. */
export interface WebSocketSupport {
  readonly verifier: TokenVerifier;
  readonly lifetime: TokenLifetime;
  readonly logger: Logger;
  readonly cookieName: string | undefined;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly maxPerConnection: number;
  readonly connectionInitTimeoutMs: number;
  readonly maxMessageBytes: number;
}

/**
 * Put in the initial context of a WebSocket operation: the principal its
 * connection verified. A symbol, so nothing from the network can set it.
 */
export const CONNECTION_AUTH: unique symbol = Symbol('claimgate.connectionAuth');

export interface ConnectionAuth {
  /** The plugin whose verifier produced the principal. */
  readonly owner: object;
  readonly principal: Principal | null;
}

const SUPPORT = new WeakMap<object, WebSocketSupport>();

export function registerWebSocketSupport(plugin: object, support: WebSocketSupport): void {
  SUPPORT.set(plugin, support);
}

/** The support of a `useClaimgate` plugin, or undefined for any other object. */
export function webSocketSupportOf(plugin: object): WebSocketSupport | undefined {
  return SUPPORT.get(plugin);
}
