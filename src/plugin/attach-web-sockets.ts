import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Context } from 'graphql-ws';
import { extractCredentials, type Credentials } from '../credentials/extract-credentials.ts';
import { streamEndedError, tooManySubscriptionsError, type StreamEndCode } from '../errors.ts';
import { KeysUnavailableError } from '../keys/keys-unavailable-error.ts';
import type { Principal } from '../principal/principal.ts';
import type { ClaimgatePlugin } from './use-claimgate.ts';
import { CONNECTION_AUTH, webSocketSupportOf, type ConnectionAuth, type WebSocketSupport } from './web-socket-support.ts';

/**
 * Close codes of claimgate's WebSocket transport. 4401, 4403, 4408 and 4429
 * are graphql-ws's own; 4503 is ours: a client should reconnect later.
 */
export const WS_CLOSE_CODES = Object.freeze({
  /** Bad, missing-but-required or conflicting credentials; or the token expired or its key was retired. Reconnect with a new token. */
  UNAUTHORIZED: 4401,
  /** A cookie credential from an Origin not in the CORS allow-list (cross-site WebSocket hijacking). */
  FORBIDDEN: 4403,
  /** No `connection_init` within the connection-init timeout (graphql-ws). */
  INIT_TIMEOUT: 4408,
  /** The issuer's keys could not be loaded: the token could not be judged. Retry later. */
  AUTH_UNAVAILABLE: 4503,
});

/** The WebSocket transport as attached: close it before the HTTP server. */
export interface WebSocketTransport {
  readonly server: WebSocketServer;
  /** Stops taking upgrades and closes every connection (1001; cut off after a second without an answer). */
  close(): Promise<void>;
}

/**
 * Longest wait, in milliseconds, between a token's end and the socket's
 * close, for the final error of each operation to be sent first.
 */
const FLUSH_GRACE_MS = 1_000;

type Refusal = { readonly close: number; readonly reason: string; readonly problem: string };

interface ConnectionState {
  readonly principal: Principal | null;
  /** Set once the token has ended: no new operation starts, the socket closes once the running ones have sent their final error. */
  ending: StreamEndCode | undefined;
  unwatch: () => void;
  flushTimer: NodeJS.Timeout | undefined;
  /** Ids of the operations that reached execution and have not completed. */
  readonly running: Set<string>;
}

type Enveloped = ReturnType<YogaServerInstance<Record<string, unknown>, Record<string, unknown>>['getEnveloped']>;

/**
 * GraphQL over WebSocket (graphql-ws, `graphql-transport-ws`) on the Yoga
 * endpoint's path of your node:http server, authenticated once per
 * connection by the same `useClaimgate` plugin (same verifier, key caches,
 * token cache). The token comes from `connectionParams.authorization`
 * (`"Bearer …"`, RFC 6750), else the upgrade request's Authorization
 * header, else the configured cookie — and then only from an Origin in
 * `corsOrigins`. When `connectionParams` and the header carry different
 * tokens, the connection is refused. A bad token closes the socket with
 * 4401, unavailable keys with 4503; nothing is subscribed. Each operation
 * runs through `yoga.getEnveloped`, so the operation limits, directive
 * guards and token-bound streams apply as over HTTP. When the token expires
 * or its key is retired, every operation ends with its final error and the
 * socket closes with 4401.
 *
 * @example
 * const claimgate = useClaimgate({ issuers })
 * const yoga = createYoga({ schema, plugins: [claimgate] })
 * const server = createServer(yoga)
 * const ws = attachWebSockets(server, yoga, claimgate)
 */
export function attachWebSockets(
  httpServer: Server,
  // Any context: the helper only passes its own initial context through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  yoga: YogaServerInstance<any, any>,
  claimgate: ClaimgatePlugin,
): WebSocketTransport {
  const support = webSocketSupportOf(claimgate as object);
  if (support === undefined) throw new TypeError('attachWebSockets: the third argument must be the useClaimgate plugin given to createYoga.');
  // Yoga lists the plugins it runs (its own, ours, and those ours added).
  const plugins = (yoga as unknown as { plugins?: readonly unknown[] }).plugins;
  if (!Array.isArray(plugins) || !plugins.includes(claimgate)) {
    throw new TypeError('attachWebSockets: this Yoga does not run the given useClaimgate plugin; pass the same plugin object to createYoga.');
  }
  const path = yoga.graphqlEndpoint;
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: support.maxMessageBytes });
  const states = new WeakMap<Context, ConnectionState>();
  const enveloped = new WeakMap<object, Enveloped>();
  const { logger } = support;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(request.url) !== path) {
      // Another listener may serve this path; alone, we refuse it.
      if (httpServer.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
  };
  httpServer.on('upgrade', onUpgrade);

  const refuse = (ctx: Context, refusal: Refusal): false => {
    logger.warn('ws.refused', { close: refusal.close, problem: refusal.problem });
    (ctx.extra as { socket: import('ws').WebSocket }).socket.close(refusal.close, refusal.reason);
    return false;
  };

  const disposable = useServer<Record<string, unknown> | undefined, { socket: import('ws').WebSocket; request: IncomingMessage }>(
    {
      // Never send library messages in close reasons.
      isProd: true,
      connectionInitWaitTimeout: support.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const credentials = connectionCredentials(ctx.connectionParams, request, support);
        if ('close' in credentials) return refuse(ctx, credentials);
        let principal: Principal | null = null;
        if (credentials.kind === 'token') {
          try {
            principal = await support.verifier.verify(credentials.token);
          } catch (error) {
            return refuse(ctx, error instanceof KeysUnavailableError
              ? { close: WS_CLOSE_CODES.AUTH_UNAVAILABLE, reason: 'Authentication unavailable', problem: 'keys unavailable' }
              : { close: WS_CLOSE_CODES.UNAUTHORIZED, reason: 'Unauthorized', problem: 'invalid token' });
          }
        }
        if (socket.readyState !== socket.OPEN) return false;
        const state: ConnectionState = { principal, ending: undefined, unwatch: () => {}, flushTimer: undefined, running: new Set() };
        states.set(ctx, state);
        if (principal !== null) state.unwatch = support.lifetime.watch(principal, (code) => endConnection(ctx, state, code));
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = states.get(ctx);
        if (state === undefined) return [new GraphQLError('Unauthorized.')];
        if (state.ending !== undefined) return [streamEndedError(state.ending)];
        // The connection's timer may fire late: no operation starts on a token that no longer holds.
        const ended = state.principal === null ? undefined : support.lifetime.reasonToEnd(state.principal);
        if (ended !== undefined) return [streamEndedError(ended)];
        // This operation is already counted in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > support.maxPerConnection) return [tooManySubscriptionsError(support.maxPerConnection)];
        const connection: ConnectionAuth = { owner: claimgate, principal: state.principal };
        const run = yoga.getEnveloped({ req: ctx.extra.request, socket: ctx.extra.socket, params: payload, [CONNECTION_AUTH]: connection }) as Enveloped;
        let document;
        try {
          document = run.parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Syntax Error: the document could not be parsed.')];
        }
        const errors = run.validate(run.schema, document);
        if (errors.length > 0) return [...errors];
        const contextValue = (await run.contextFactory()) as object;
        enveloped.set(contextValue, run);
        state.running.add(id);
        const args: ExecutionArgs = {
          schema: run.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        };
        return args;
      },
      // As Yoga does over HTTP: `extensions.http` steers the HTTP response and is not sent.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors === undefined ? undefined : ({ ...result, errors: result.errors.map(wireError) } as FormattedExecutionResult)),
      onError: (_ctx, _id, _payload, errors) => errors.map(wireError),
      execute: (args) => enveloped.get(args.contextValue as object)!.execute(args),
      subscribe: (args) => enveloped.get(args.contextValue as object)!.subscribe(args),
      onComplete: (ctx, id) => {
        const state = states.get(ctx);
        if (state === undefined) return;
        state.running.delete(id);
        if (state.ending !== undefined) closeWhenFlushed(ctx, state);
      },
      onClose: (ctx) => {
        const state = states.get(ctx);
        if (state === undefined) return;
        state.unwatch();
        clearTimeout(state.flushTimer);
      },
    },
    wsServer,
  );

  /** The token ended: each operation ends with its final error (their own watches), then the socket closes 4401. */
  function endConnection(ctx: Context, state: ConnectionState, code: StreamEndCode): void {
    state.ending = code;
    logger.info('ws.token_ended', { code });
    const { socket } = ctx.extra as { socket: import('ws').WebSocket };
    state.flushTimer = setTimeout(() => socket.close(WS_CLOSE_CODES.UNAUTHORIZED, code), FLUSH_GRACE_MS);
    state.flushTimer.unref();
    closeWhenFlushed(ctx, state);
  }

  function closeWhenFlushed(ctx: Context, state: ConnectionState): void {
    if (state.running.size > 0) return;
    // After the current turn: graphql-ws queues its `complete` message right after onComplete.
    setImmediate(() => {
      clearTimeout(state.flushTimer);
      (ctx.extra as { socket: import('ws').WebSocket }).socket.close(WS_CLOSE_CODES.UNAUTHORIZED, state.ending);
    });
  }

  return {
    server: wsServer,
    close: async () => {
      httpServer.off('upgrade', onUpgrade);
      // dispose() waits for each client's closing handshake; one that never answers is cut off.
      const cutOff = setTimeout(() => {
        for (const client of wsServer.clients) client.terminate();
      }, FLUSH_GRACE_MS);
      try {
        await disposable.dispose();
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}

/**
 * The connection's credentials: `connectionParams.authorization`, else the
 * upgrade request's Authorization header, else the cookie (from an allowed
 * Origin only). A refusal when they break RFC 6750 or disagree.
 */
function connectionCredentials(
  params: Readonly<Record<string, unknown>> | undefined,
  request: IncomingMessage,
  support: Pick<WebSocketSupport, 'cookieName' | 'allowedOrigins'>,
): Credentials | Refusal {
  const unauthorized = (problem: string): Refusal => ({ close: WS_CLOSE_CODES.UNAUTHORIZED, reason: 'Unauthorized', problem });
  const fromParams = paramsCredentials(params);
  if (fromParams.kind === 'invalid') return unauthorized(`connectionParams: ${fromParams.problem}`);
  const fromHeader = extractCredentials({ authorization: request.headersDistinct.authorization ?? [], cookie: [] }, undefined);
  if (fromHeader.kind === 'invalid') return unauthorized(`Authorization header: ${fromHeader.problem}`);
  if (fromParams.kind === 'token' && fromHeader.kind === 'token' && fromParams.token !== fromHeader.token) {
    return unauthorized('connectionParams and the Authorization header carry different tokens');
  }
  if (fromParams.kind === 'token') return fromParams;
  if (fromHeader.kind === 'token') return fromHeader;
  if (support.cookieName === undefined) return fromHeader;
  const fromCookie = extractCredentials({ authorization: [], cookie: request.headersDistinct.cookie ?? [] }, support.cookieName);
  if (fromCookie.kind === 'invalid') return unauthorized(fromCookie.problem);
  if (fromCookie.kind === 'token') {
    const origin = request.headersDistinct.origin;
    if (origin === undefined || origin.length !== 1 || !support.allowedOrigins.has(origin[0]!)) {
      return { close: WS_CLOSE_CODES.FORBIDDEN, reason: 'Forbidden', problem: `cookie from an origin not in CORS_ORIGINS: ${JSON.stringify(origin?.[0] ?? null).slice(0, 200)}` };
    }
  }
  return fromCookie;
}

/** `connectionParams.authorization` (or `Authorization`), by the RFC 6750 grammar of the header. */
function paramsCredentials(params: Readonly<Record<string, unknown>> | undefined): Credentials {
  if (params === undefined) return { kind: 'none' };
  const names = Object.keys(params).filter((name) => name.toLowerCase() === 'authorization');
  if (names.length === 0) return { kind: 'none' };
  if (names.length > 1) return { kind: 'invalid', problem: 'more than one authorization entry' };
  const value = params[names[0]!];
  if (typeof value !== 'string') return { kind: 'invalid', problem: 'authorization is not a string' };
  return extractCredentials({ authorization: [value], cookie: [] }, undefined);
}

/** An error as sent: its JSON without `extensions.http`. */
function wireError(error: GraphQLError): GraphQLFormattedError {
  const json = error.toJSON();
  if (json.extensions === undefined || !('http' in json.extensions)) return json;
  const { http: _http, ...extensions } = json.extensions;
  return { ...json, extensions };
}

function pathOf(url: string | undefined): string {
  const query = (url ?? '').indexOf('?');
  return query === -1 ? (url ?? '') : (url ?? '').slice(0, query);
}
