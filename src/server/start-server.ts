import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { DEFAULTS } from '../config/defaults.ts';
import { createIssuerConfig, type IssuerConfig } from '../verification/issuer-config.ts';
import type { Config } from './load-config.ts';
import type { AuthContext } from '../context/create-auth-context.ts';
import { useClaimgate } from '../plugin/use-claimgate.ts';
import { attachWebSockets } from '../plugin/attach-web-sockets.ts';
import { devIssuerUrl, useDevIssuer } from '../dev/dev-issuer.ts';
import { loadDevSigningKey, type DevSigningKey } from '../dev/dev-signing-key.ts';
import { createExampleSchema } from '../example/create-example-schema.ts';
import type { Logger } from '../telemetry/log.ts';
import { createPinoLogger } from '../telemetry/pino-logger.ts';
import type { TokenVerifier, TokenVerifierOptions } from '../verification/token-verifier.ts';
import { useHealthEndpoints } from './use-health-endpoints.ts';
import { metricsResponse, useMetricsEndpoint } from './use-metrics-endpoint.ts';

export interface StartServerOptions {
  /** The schema to serve, already passed through `authDirectiveTransformer`. Default: the example API. */
  readonly schema?: GraphQLSchema;
  readonly logger?: Logger;
  /** Tuning for the key caches and the token cache (tests shorten the cooldown). */
  readonly verifier?: Pick<TokenVerifierOptions, 'jwks' | 'tokenCacheSize' | 'now'>;
  /** Where the development issuer keeps its key. */
  readonly devKeyDirectory?: URL;
  /** Decide each operation once when the caller may see all of it (`useAuthFastPath`). Default true. */
  readonly fastPath?: boolean;
  /** Longest wait for in-flight requests on close, in milliseconds. Default 10 000. */
  readonly shutdownTimeoutMs?: number;
}

export interface RunningServer {
  /** `http://host:port` */
  readonly origin: string;
  /** The GraphQL endpoint's URL. */
  readonly graphqlUrl: string;
  readonly verifier: TokenVerifier;
  readonly yoga: YogaServerInstance<Record<string, unknown>, AuthContext>;
  /** The development issuer's key, when it runs. */
  readonly devKey: DevSigningKey | undefined;
  /** The issuer tokens must name (the dev issuer's URL in development). */
  readonly issuers: readonly IssuerConfig[];
  /** Where `GET /metrics` answers (`http://host:port`): the API's origin, or METRICS_PORT's; undefined when METRICS=off. */
  readonly metricsOrigin: string | undefined;
  /** Stops accepting connections, lets in-flight requests finish, then stops key refreshes. */
  close(): Promise<void>;
}

/**
 * Starts the API: listens first (so the development issuer can serve its
 * keys on the same port), then starts fetching keys; `/readyz` turns 200 when
 * they are loaded.
 */
export async function startServer(config: Config, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createPinoLogger({ level: config.logLevel });
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"starting"}');
  };
  // Node's close callback can fire while a request body is still arriving,
  // so in-flight requests are counted here for a graceful shutdown.
  let inFlight = 0;
  let onDrained: (() => void) | undefined;
  const httpServer = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      if (--inFlight === 0) onDrained?.();
    });
    handler(req, res);
  });
  // Keep-alive connections from gateways outlive requests; bound idle ones.
  httpServer.keepAliveTimeout = DEFAULTS.keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;

  let metricsServer: MetricsServer | undefined;
  try {
    const plugins: Plugin[] = [useHealthEndpoints()];
    let issuers = config.issuers;
    let devKey: DevSigningKey | undefined;
    if (config.devIssuer) {
      devKey = await loadDevSigningKey(options.devKeyDirectory);
      const issuer = devIssuerUrl(origin);
      issuers = [createIssuerConfig({ issuer, audience: [DEFAULTS.devAudience] })];
      plugins.push(useDevIssuer(issuer, devKey));
      logger.warn('dev_issuer.enabled', {
        issuer,
        message: 'AUTH_ISSUER is not set: using the embedded development issuer. Never use it in production.',
      });
    }
    const claimgate = useClaimgate({
      issuers,
      cookieName: config.cookieName,
      corsOrigins: config.corsOrigins,
      clockToleranceSeconds: config.clockToleranceSeconds,
      mode: config.mode,
      enforcement: config.enforcement,
      limits: config.limits,
      subscriptions: config.subscriptions,
      fastPath: options.fastPath,
      logger,
      verifier: options.verifier,
      metrics: config.metrics,
    });
    if (claimgate.metrics !== undefined && config.metricsPort === undefined) plugins.push(useMetricsEndpoint(claimgate.metrics.registry));
    if (claimgate.metrics !== undefined && config.metricsPort !== undefined) metricsServer = await startMetricsServer(claimgate.metrics.registry, config.host, config.metricsPort);
    plugins.push(claimgate);
    const verifier = claimgate.verifier;

    const yoga = createYoga<Record<string, unknown>, AuthContext>({
      schema: options.schema ?? createExampleSchema(config.mode),
      graphqlEndpoint: '/graphql',
      // useClaimgate refuses bodies over the limit by their Content-Length
      // (Node never delivers more than that); Yoga's own limit would pipe
      // every body through a counting stream, about 200 µs of CPU per request.
      maxRequestBodySize: false,
      multipart: false,
      landingPage: false,
      // Off: Yoga's GraphiQL page loads its scripts from unpkg.com (no offline
      // build is installed), which fails offline and runs third-party code on the
      // origin that serves dev tokens. Use curl or your own GraphQL client.
      graphiql: false,
      cors: corsOptions(config),
      logging: yogaLogger(logger),
      plugins,
    });
    handler = yoga as unknown as typeof handler;
    // GraphQL over WebSocket on the same port and path, through the same plugin.
    const webSockets = attachWebSockets(httpServer, yoga, claimgate);

    const close = async () => {
      const timeout = options.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs;
      await webSockets.close();
      httpServer.close();
      httpServer.closeIdleConnections();
      await new Promise<void>((resolve) => {
        const force = setTimeout(resolve, timeout);
        onDrained = () => {
          clearTimeout(force);
          resolve();
        };
        if (inFlight === 0) onDrained();
      });
      httpServer.closeAllConnections();
      await metricsServer?.close();
      await yoga.dispose();
    };
    const metricsOrigin = claimgate.metrics === undefined ? undefined : (metricsServer?.origin ?? origin);
    return { origin, graphqlUrl: `${origin}/graphql`, verifier, yoga, devKey, issuers, metricsOrigin, close };
  } catch (error) {
    httpServer.close();
    await metricsServer?.close();
    throw error;
  }
}

/**
 * Without cookies there are no ambient credentials: any origin (or those in
 * CORS_ORIGINS) may call, without credentials. With cookies, useClaimgate
 * answers credentialed CORS for CORS_ORIGINS alone, whatever is set here.
 */
function corsOptions(config: Config) {
  if (config.cookieName !== undefined) return undefined;
  return config.corsOrigins.length > 0 ? { origin: [...config.corsOrigins], credentials: false } : { credentials: false };
}

function yogaLogger(logger: Logger) {
  const forward = (level: 'info' | 'warn' | 'error') => (...args: unknown[]) =>
    logger[level]('yoga', { message: args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' ') });
  return { debug: () => {}, info: () => {}, warn: forward('warn'), error: forward('error') };
}

interface MetricsServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** A listener of its own for `GET /metrics` (METRICS_PORT), so the API port need not expose it. */
async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== DEFAULTS.metricsPath) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
      return;
    }
    metricsResponse(registry, req.method ?? 'GET').then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(await response.text());
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    origin: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown === '[::]' ? '[::1]' : shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
