// The abuse scenario: the worst operation an anonymous caller can still send
// with the default limits, beside a normal request, against `npm start`'s
// server in its own process. Reports CPU time per request (from /proc), the
// response size, and the server's peak RSS. Informs; never fails.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../src/config/defaults.ts';

const PORT = 4311;
const url = `http://127.0.0.1:${PORT}/graphql`;
const ROUNDS = 200;

const introspection = '__schema { types { name kind fields { name args { name type { name kind } } type { name kind ofType { name kind ofType { name kind } } } } } }';
const SHAPES: Record<string, string> = {
  'normal { publicInfo }': '{ publicInfo }',
  [`worst allowed: ${DEFAULTS.limits.maxAliases} aliases x full type introspection`]: `{ ${Array.from({ length: DEFAULTS.limits.maxAliases }, (_, i) => `a${i}: ${introspection}`).join(' ')} }`,
  [`worst allowed: ${DEFAULTS.limits.maxAliases} aliases x search + node`]: `{ ${Array.from({ length: DEFAULTS.limits.maxAliases / 2 }, (_, i) => `s${i}: search(q: "x") { __typename ... on PublicNote { id text } } n${i}: node(id: "n1") { id }`).join(' ')} }`,
  'refused: 1,000 aliases x documents(limit: 5000) { __typename } (39 KB)': `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: documents(limit: 5000) { __typename }`).join(' ')} }`,
};

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime + stime, in clock ticks of 10 ms
}
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'ignore'] });
try {
  for (let i = 0; ; i++) {
    if ((await fetch(`http://127.0.0.1:${PORT}/readyz`).catch(() => undefined))?.status === 200) break;
    if (i > 200) throw new Error('server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const rows: string[] = [];
  for (const [name, query] of Object.entries(SHAPES)) {
    const body = JSON.stringify({ query });
    let bytes = 0;
    let status = 0;
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }); // warm the caches
    const before = cpuMicros(server.pid!);
    for (let i = 0; i < ROUNDS; i++) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      status = response.status;
      bytes = (await response.arrayBuffer()).byteLength;
    }
    const perRequest = (cpuMicros(server.pid!) - before) / ROUNDS;
    const health = await fetch(`http://127.0.0.1:${PORT}/healthz`);
    rows.push(`| ${name} | ${(body.length / 1024).toFixed(1)} KB | ${status} | ${Math.round(perRequest)} | ${(bytes / 1024).toFixed(1)} KB | ${peakRssMb(server.pid!)} | ${health.status} |`);
  }
  console.log(`Abuse scenario (anonymous, default limits; ${ROUNDS} requests each, CPU from /proc)\n`);
  console.log('| operation | request | status | server CPU µs/request | response | peak RSS MB | /healthz after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  server.kill('SIGTERM');
}
