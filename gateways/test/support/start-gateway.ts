import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../../../test/support/free-port.ts';

const GATEWAYS = new URL('../../', import.meta.url);

export interface GatewayProcess {
  readonly graphqlUrl: string;
  /** Everything the process printed. */
  output(): string;
  close(): Promise<void>;
}

/** The environment less anything that would make a gateway call out (registry tokens, telemetry exporters). */
function quietEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(HIVE_|GRAFBASE_|OTEL_|HTTPS?_PROXY$|NO_COLOR$)/i.test(name)) env[name] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

async function waitUntilServing(child: ChildProcess, graphqlUrl: string, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ publicInfo }' }),
      });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gateway did not serve ${graphqlUrl} within ${timeoutMs} ms:\n${output()}`);
}

async function run(command: string, args: string[], env: Record<string, string>, port: number): Promise<GatewayProcess> {
  const child = spawn(command, args, { cwd: GATEWAYS, env: quietEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
  const gateway: GatewayProcess = {
    graphqlUrl,
    output: () => printed,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilServing(child, graphqlUrl, gateway.output);
  } catch (error) {
    await gateway.close();
    throw error;
  }
  return gateway;
}

/** Hive Gateway with gateways/hive/gateway.config.ts, serving `supergraphPath` on 127.0.0.1. */
export async function startHiveGateway(supergraphPath: string, options: { forwardCookie?: boolean } = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const bin = new URL('node_modules/.bin/hive-gateway', GATEWAYS).pathname;
  const config = new URL('hive/gateway.config.ts', GATEWAYS).pathname;
  return run(bin, ['supergraph', supergraphPath, '-c', config, '--host', '127.0.0.1', '--port', String(port)], options.forwardCookie ? { CLAIMGATE_FORWARD_COOKIE: '1' } : {}, port);
}

/** Where the Grafbase CLI's static binary lands inside its npm package. */
export const GRAFBASE_BIN = new URL('node_modules/@grafbase/cli-x86_64-unknown-linux-musl/grafbase', GATEWAYS).pathname;

/** Where the subgraphs are and where their live SDL was written: what gateways/grafbase/grafbase.toml reads. */
export interface GrafbaseSubgraphs {
  readonly exampleUrl: string;
  readonly exampleSchema: string;
  readonly reviewsUrl: string;
  readonly reviewsSchema: string;
  /** A fresh folder: no login or cached credentials are used. */
  readonly home: string;
}

/** The `{{ env.NAME }}` values gateways/grafbase/grafbase.toml interpolates. */
export function grafbaseEnv(subgraphs: GrafbaseSubgraphs, listenAddress: string): Record<string, string> {
  return {
    GRAFBASE_LISTEN_ADDRESS: listenAddress,
    EXAMPLE_URL: subgraphs.exampleUrl,
    EXAMPLE_SCHEMA: subgraphs.exampleSchema,
    REVIEWS_URL: subgraphs.reviewsUrl,
    REVIEWS_SCHEMA: subgraphs.reviewsSchema,
    HOME: subgraphs.home,
  };
}

/**
 * `grafbase dev` with gateways/grafbase/grafbase.toml, composing the two
 * subgraphs from their SDL files, on 127.0.0.1. Its home is a fresh folder, so
 * no login or cached credentials are used.
 */
export async function startGrafbase(subgraphs: GrafbaseSubgraphs): Promise<GatewayProcess> {
  const port = await freePort();
  const config = new URL('grafbase/grafbase.toml', GATEWAYS).pathname;
  return run(GRAFBASE_BIN, ['--home', subgraphs.home, 'dev', '-c', config], grafbaseEnv(subgraphs, `127.0.0.1:${port}`), port);
}
