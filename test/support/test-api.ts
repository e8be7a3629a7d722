import { after, before } from 'node:test';
import type { GraphQLSchema } from 'graphql';
import { startTestIssuer, type TestIssuer } from './test-issuer.ts';
import { createMemoryLogger, type LogLine } from './memory-logger.ts';
import { loadConfig } from '../../src/server/load-config.ts';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/start-server.ts';

export { createMemoryLogger, type LogLine };

export interface TestApi {
  readonly server: RunningServer;
  readonly graphqlUrl: string;
  readonly origin: string;
  /** Everything the server logged. */
  readonly logs: LogLine[];
  /** Resolves once the keys are loaded (`/readyz` 200), or throws after `timeoutMs`. */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}


/**
 * Starts the real server, as `npm start` does, on 127.0.0.1 and a free port,
 * configured by environment variables exactly like production.
 */
export async function startTestApi(
  env: Record<string, string>,
  options: { schema?: GraphQLSchema; verifier?: StartServerOptions['verifier']; waitForKeys?: boolean; devKeyDirectory?: URL; fastPath?: boolean } = {},
): Promise<TestApi> {
  const logs: LogLine[] = [];
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ...env });
  const server = await startServer(config, {
    logger: createMemoryLogger(logs),
    shutdownTimeoutMs: 2_000,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.verifier === undefined ? {} : { verifier: options.verifier }),
    ...(options.devKeyDirectory === undefined ? {} : { devKeyDirectory: options.devKeyDirectory }),
    ...(options.fastPath === undefined ? {} : { fastPath: options.fastPath }),
  });
  const api: TestApi = {
    server,
    graphqlUrl: server.graphqlUrl,
    origin: server.origin,
    logs,
    ready: async (timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!server.verifier.ready) {
        if (Date.now() > deadline) throw new Error('keys did not load in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () => server.close(),
  };
  if (options.waitForKeys ?? true) await api.ready();
  return api;
}

export interface GraphQLResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

export interface GraphQLRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** POSTs a GraphQL request over real HTTP. */
export async function graphql(url: string, request: GraphQLRequest): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(request.token === undefined ? {} : { authorization: `Bearer ${request.token}` }),
      ...request.headers,
    },
    body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
  });
  const text = await response.text();
  let body: GraphQLResponse['body'];
  try {
    body = JSON.parse(text) as GraphQLResponse['body'];
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** The `extensions.code` of each error, in order. */
export function errorCodes(response: GraphQLResponse): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}

/**
 * Starts a test issuer and the real server pointed at it for the enclosing
 * test file or suite (node:test `before`/`after`), and returns where to find them.
 *
 * @example const running = withIssuerAndApi(); test('...', () => graphql(running.api.graphqlUrl, ...))
 */
export function withIssuerAndApi(
  env: Record<string, string> = {},
  options: Parameters<typeof startTestApi>[1] = {},
): { issuer: TestIssuer; api: TestApi } {
  const running = {} as { issuer: TestIssuer; api: TestApi };
  before(async () => {
    running.issuer = await startTestIssuer();
    running.api = await startTestApi(running.issuer.env(env), options);
  });
  after(async () => {
    await running.api?.close();
    await running.issuer?.close();
  });
  return running;
}

/** POSTs `body` with chunked transfer encoding (no Content-Length), as a streaming client would. */
export function postChunked(url: string, body: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body));
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
}
