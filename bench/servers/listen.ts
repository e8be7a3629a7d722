import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

type Handler = (request: IncomingMessage, response: ServerResponse) => unknown;

/**
 * Serves a baseline on HOST:PORT with the `GET /readyz` probe claimgate has,
 * so the bench waits for every server the same way.
 */
export function listen(handler: Handler, env: NodeJS.ProcessEnv): void {
  const server = createServer((request, response) => {
    if (request.url === '/readyz') response.writeHead(200).end('ok');
    else void handler(request, response);
  });
  server.listen(Number(env['PORT'] ?? 0), env['HOST'] ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
