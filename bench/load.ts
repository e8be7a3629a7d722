import { spawn, type ChildProcess } from 'node:child_process';
import type { TokenPlan } from './scenarios.ts';

/** The tokens the load generator sends, handed over once. */
export interface TokenLists {
  readonly hot: string;
  readonly pool: readonly string[];
  readonly invalid: readonly string[];
}

export interface LoadRequest {
  readonly url: string;
  readonly query: string;
  readonly tokens: TokenPlan;
  readonly connections: number;
  /** How long to send load, in seconds. */
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

export type WorkerMessage = { type: 'tokens'; tokens: TokenLists } | { type: 'run'; request: LoadRequest };
type WorkerReply = { type: 'ready' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };

/** autocannon in a child process, so the load generator never shares the server's core. */
export interface LoadGenerator {
  run(request: LoadRequest): Promise<LoadResult>;
  close(): void;
}

/**
 * Starts the load-generator process (`taskset -c <core>` when core is set)
 * and sends it the tokens. One run at a time.
 */
export async function startLoadGenerator(tokens: TokenLists, core: number | undefined): Promise<LoadGenerator> {
  const nodeArgs = [process.execPath, '--import', 'tsx', new URL('load-worker.ts', import.meta.url).pathname];
  const [command, ...args] = core === undefined ? nodeArgs : ['taskset', '-c', String(core), ...nodeArgs];
  // taskset execs node, which finds the IPC channel it inherited.
  const child = spawn(command ?? process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await exchange(child, { type: 'tokens', tokens });
  return {
    run: async (request) => {
      const reply = await exchange(child, { type: 'run', request });
      if (reply.type !== 'result') throw new Error('The load generator answered out of turn.');
      return reply.result;
    },
    close: () => child.kill(),
  };
}

function exchange(child: ChildProcess, message: WorkerMessage): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`The load generator exited (${code}).`));
    child.once('exit', onExit);
    child.once('message', (reply: WorkerReply) => {
      child.off('exit', onExit);
      if (reply.type === 'error') reject(new Error(`The load generator failed: ${reply.message}`));
      else resolve(reply);
    });
    child.send(message);
  });
}
