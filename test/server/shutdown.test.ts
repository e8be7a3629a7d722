// SIGTERM closes the real process cleanly: in-flight requests finish, then it exits 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startTestIssuer } from '../support/test-issuer.ts';
import { answers200, waitFor } from '../support/wait-for.ts';

test('SIGTERM lets an in-flight request finish, then exits 0', async (t) => {
  const issuer = await startTestIssuer();
  t.after(() => issuer.close());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...issuer.env(), PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  await waitFor(
    () => {
      if (child.exitCode !== null) assert.fail(`exited early: ${stdout}`);
      return /listening on (http:\/\/[^\s]+)\/graphql/.test(stdout);
    },
    { what: 'the server to listen' },
  );
  const origin = /listening on (http:\/\/[^\s]+)\/graphql/.exec(stdout)![1]!;
  await waitFor(() => answers200(`${origin}/readyz`), { what: '/readyz to answer 200' });

  // An in-flight request: headers and half of the body sent before SIGTERM.
  const url = new URL(origin);
  const socket = connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  const token = await issuer.mint({ sub: 'in-flight' });
  const body = JSON.stringify({ query: '{ me { sub } }' });
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
  );
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, 100));

  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(child.exitCode, null, 'still running while a request is in flight');
  await assert.rejects(fetch(`${origin}/healthz`), 'new connections are refused');
  // write, not end: a client that half-closes its side is treated by Node as gone.
  socket.write(body.slice(5));
  await once(socket, 'close');
  const [code] = (await once(child, 'exit')) as [number | null];

  assert.match(response, /^HTTP\/1\.1 200 OK/);
  assert.ok(response.endsWith('{"data":{"me":{"sub":"in-flight"}}}'), response);
  assert.equal(code, 0);
});
