// SIGTERM closes the real process cleanly: in-flight requests finish, then it
// exits 0. Measured here (npm 11.19 on Node 20.20 and 24.22): `npm start` does
// NOT pass SIGTERM on; npm exits 143 at once and leaves the server running,
// orphaned. So the README tells containers to run node directly; these tests
// prove both of the commands it names shut down gracefully.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { startTestIssuer } from '../support/test-issuer.ts';
import { answers200, waitFor } from '../support/wait-for.ts';

/**
 * Starts `args` under node as its own process (what a container's CMD runs),
 * sends it SIGTERM with a request in flight, and checks the request completes
 * and the process exits 0.
 */
async function sigtermLetsInFlightFinish(t: TestContext, args: string[]): Promise<void> {
  const issuer = await startTestIssuer();
  t.after(() => issuer.close());
  const child = spawn(process.execPath, args, {
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
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  const token = await issuer.mint({ sub: 'in-flight' });
  const body = JSON.stringify({ query: '{ me { sub } }' });
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
  );
  let response = '';
  socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, 100));

  // Listen before the signal: a server that dies at once closes the socket before we could.
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(child.exitCode, null, 'still running while a request is in flight');
  await assert.rejects(fetch(`${origin}/healthz`), 'new connections are refused');
  // write, not end: a client that half-closes its side is treated by Node as gone.
  socket.write(body.slice(5));
  await closed;
  const [code] = (await exited) as [number | null];

  assert.match(response, /^HTTP\/1\.1 200 OK/);
  assert.ok(response.endsWith('{"data":{"me":{"sub":"in-flight"}}}'), response);
  assert.equal(code, 0);
}

test('node --import tsx src/main.ts (what npm start runs): SIGTERM lets an in-flight request finish, then exits 0', (t) =>
  sigtermLetsInFlightFinish(t, ['--import', 'tsx', 'src/main.ts']));

test('node dist/main.js (the README\'s container command, compiled, no tsx): SIGTERM lets an in-flight request finish, then exits 0', async (t) => {
  // Its own output folder beside dist/ (so ../../schema resolves the same), not
  // dist/ itself, which another test file builds at the same time.
  const outDir = '.dist-shutdown-test';
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout + build.stderr);
  await sigtermLetsInFlightFinish(t, [`${outDir}/main.js`]);
});
