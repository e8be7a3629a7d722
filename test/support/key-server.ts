import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How a route misbehaves instead of serving its document. */
export type RouteFailure =
  /** Answers with this status (default 500) and a small JSON error body. */
  | { readonly kind: 'status'; readonly status?: number }
  /** Answers 200 with an HTML page, as a captive portal or a login redirect target would. */
  | { readonly kind: 'html' }
  /** Answers 200 `application/json` with a truncated document. */
  | { readonly kind: 'invalid-json' }
  /**
   * Answers 200 with a valid JSON document padded to `bytes` bytes. With
   * `declareLength: false` (the default) the body is chunked, so a client
   * learns its size only by reading it.
   */
  | { readonly kind: 'oversized'; readonly bytes: number; readonly declareLength?: boolean }
  /** Waits `ms` milliseconds, then serves the document normally. */
  | { readonly kind: 'hang'; readonly ms: number };

export interface KeyServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly origin: string;
  /** The absolute URL of `path` on this server. */
  url(path: string): string;
  /** How many requests reached `path` (any method, any outcome) since start or the last `resetCounts()`. */
  requests(path: string): number;
  resetCounts(): void;
  /** Serves `document` as JSON at `path` from the next request on. */
  set(path: string, document: unknown): void;
  /** Removes `path`; it then answers 404. */
  remove(path: string): void;
  /** Makes `path` misbehave until `recover(path)`. */
  fail(path: string, failure: RouteFailure): void;
  recover(path: string): void;
  /** Closes the server, dropping open connections and pending hangs. */
  close(): Promise<void>;
}

/**
 * Starts a JSON document server on 127.0.0.1 (a free port) for JWKS and
 * discovery tests.
 *
 * @example
 * const server = await startKeyServer({ '/jwks': { keys: [publicJwk] } });
 * const jwks = createRemoteJWKSet(new URL(server.url('/jwks')));
 * server.fail('/jwks', { kind: 'hang', ms: 2_000 });
 */
export async function startKeyServer(routes: Readonly<Record<string, unknown>> = {}): Promise<KeyServer> {
  const documents = new Map<string, string>(Object.entries(routes).map(([path, document]) => [path, JSON.stringify(document)]));
  const failures = new Map<string, RouteFailure>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const serve = (path: string, response: ServerResponse): void => {
    const body = documents.get(path);
    if (body === undefined) {
      send(response, 404, 'application/json', '{"error":"not_found"}');
      return;
    }
    send(response, 200, 'application/json', body);
  };

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const failure = failures.get(path);
    switch (failure?.kind) {
      case undefined:
        serve(path, response);
        return;
      case 'status':
        send(response, failure.status ?? 500, 'application/json', '{"error":"server_error"}');
        return;
      case 'html':
        send(response, 200, 'text/html; charset=utf-8', '<!doctype html><html><body><h1>Sign in</h1></body></html>');
        return;
      case 'invalid-json':
        send(response, 200, 'application/json', '{"keys":[{"kty":"RSA",');
        return;
      case 'oversized': {
        const padding = Math.max(0, failure.bytes - '{"keys":[],"padding":""}'.length);
        const body = `{"keys":[],"padding":"${'x'.repeat(padding)}"}`;
        if (failure.declareLength === true) {
          send(response, 200, 'application/json', body);
        } else {
          response.writeHead(200, { 'content-type': 'application/json' });
          for (let offset = 0; offset < body.length; offset += 16_384) response.write(body.slice(offset, offset + 16_384));
          response.end();
        }
        return;
      }
      case 'hang': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!response.destroyed) serve(path, response);
        }, failure.ms);
        timers.add(timer);
        return;
      }
    }
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path) => new URL(path, origin).href,
    requests: (path) => counts.get(path) ?? 0,
    resetCounts: () => counts.clear(),
    set: (path, document) => void documents.set(path, JSON.stringify(document)),
    remove: (path) => void documents.delete(path),
    fail: (path, failure) => void failures.set(path, failure),
    recover: (path) => void failures.delete(path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
