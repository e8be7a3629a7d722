import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

type Handler = (request: IncomingMessage, response: ServerResponse) => unknown;

export interface ListenOptions {
  /** Refuse a body over this many bytes by its Content-Length (413), as claimgate's server does. */
  readonly maxBodyBytes?: number;
  /** node:http's keepAliveTimeout, in milliseconds. Default Node's (5 000). */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * Serves a baseline on HOST:PORT with the `GET /readyz` probe claimgate has,
 * so the bench waits for every server the same way.
 */
export function listen(handler: Handler, env: NodeJS.ProcessEnv, options: ListenOptions = {}): void {
  const { maxBodyBytes } = options;
  const server = createServer((request, response) => {
    if (request.url === '/readyz') response.writeHead(200).end('ok');
    else if (maxBodyBytes !== undefined && Number(request.headers['content-length'] ?? 0) > maxBodyBytes) {
      response.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end('{"errors":[{"message":"Request body is too large."}]}');
    } else void handler(request, response);
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.listen(Number(env['PORT'] ?? 0), env['HOST'] ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  return;
}
