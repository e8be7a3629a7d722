import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { ServerSpec } from './servers/catalog.ts';

/** A server under test running in its own process. */
export interface ServerProcess {
  readonly pid: number;
  /** Base URL of the GraphQL endpoint. */
  readonly graphqlUrl: string;
  /** Resident set size in kB, from /proc/<pid>/status (VmRSS); undefined where /proc is missing. */
  rssKb(): number | undefined;
  /** CPU time (user + system, all threads) used so far, in seconds; undefined where /proc is missing. */
  cpuSeconds(): number | undefined;
  /** CPU seconds so far of the main thread and of all others, from /proc/<pid>/task. */
  threadCpuSeconds(): ThreadCpu | undefined;
  /** The last lines the server printed, for reporting a failed start. */
  outputTail(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly repoRoot: string;
  readonly env: Readonly<Record<string, string>>;
  /** Wraps the command in `taskset -c <core>` when set. */
  readonly core: number | undefined;
  /** Give up waiting for readiness after this many milliseconds. */
  readonly readyTimeoutMs: number;
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
}

const TAIL_BYTES = 4096;

/** Starts the server, waits until its ready path answers 200, or throws with its output. */
export async function startServer(spec: ServerSpec, options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', spec.entry];
  const [command, ...args] = options.core === undefined ? nodeArgs : ['taskset', '-c', String(options.core), ...nodeArgs];
  // taskset execs node, so the pid is the server's own (RSS is read from it).
  const child = spawn(command ?? process.execPath, args, {
    cwd: options.repoRoot,
    env: { ...process.env, ...options.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const base = `http://127.0.0.1:${port}`;
  const process_: ServerProcess = {
    pid: child.pid ?? -1,
    graphqlUrl: base + spec.graphqlPath,
    rssKb: () => readRssKb(child.pid),
    cpuSeconds: () => readCpuSeconds(child.pid),
    threadCpuSeconds: () => readThreadCpu(child.pid),
    outputTail: () => tail,
    stop: () => stopChild(child, exited),
  };
  try {
    await waitReady(base + spec.readyPath, child, options.readyTimeoutMs);
  } catch (error) {
    await process_.stop();
    throw new Error(`${spec.id} did not become ready: ${(error as Error).message}\n${tail}`);
  }
  return process_;
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    try {
      // The preflight header satisfies Apollo's CSRF prevention; other servers ignore it.
      const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms (${last})`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function readRssKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Linux reports /proc times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

function readCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime of one /proc stat line, in seconds. */
function statCpuSeconds(stat: string): number {
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds of a process's threads. Node 20 leaves its threads unnamed, so only the main one can be told apart. */
export interface ThreadCpu {
  /** The JavaScript thread. */
  readonly main: number;
  /** Every other thread: libuv's pool (where WebCrypto runs RSA), V8's GC and compiler workers. */
  readonly workers: number;
}

function readThreadCpu(pid: number | undefined): ThreadCpu | undefined {
  if (pid === undefined) return undefined;
  const totals = { main: 0, workers: 0 };
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      totals[tid === String(pid) ? 'main' : 'workers'] += statCpuSeconds(stat);
    }
    return totals;
  } catch {
    return undefined;
  }
}

/** A port the OS just handed out; a tiny race with other programs is acceptable for a bench. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
