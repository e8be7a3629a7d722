// What claimgate's observability adds per request, in CPU, measured in one
// thread so a busy machine's noise mostly cancels: TokenVerifier.verify on a
// cached token (accepted and refused) with metrics off and no OTel SDK, with
// metrics on, and with metrics on and an SDK recording every span.
//
//   taskset -c 0 node --import tsx bench/observability-micro.ts
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SignJWT } from 'jose';
import { createIssuerConfig } from '../src/verification/issuer-config.ts';
import { silentLogger } from '../src/telemetry/log.ts';
import { noopMetrics, type MetricsRecorder } from '../src/telemetry/metrics-recorder.ts';
import { ClaimgateMetrics } from '../src/plugin/claimgate-metrics.ts';
import { TokenVerifier } from '../src/verification/token-verifier.ts';
import { startIssuer } from './issuer.ts';
import { BENCH_AUDIENCE } from './tokens.ts';

const CALLS = 200_000;
const REPEATS = 7;
const issuer = await startIssuer();
const config = createIssuerConfig({ issuer: issuer.url, audience: [BENCH_AUDIENCE], jwksUri: issuer.jwksUri });
const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ sub: 'bench', aud: BENCH_AUDIENCE, iss: issuer.url, exp: Math.floor(Date.now() / 1000) + 3600, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
    .sign(issuer.privateKey);
const good = await sign({});
const bad = `${good.slice(0, good.lastIndexOf('.'))}.${'A'.repeat(342)}`;

async function verifierWith(metrics: MetricsRecorder): Promise<TokenVerifier> {
  const verifier = new TokenVerifier({ issuers: [config], logger: silentLogger, metrics });
  await verifier.start();
  await verifier.verify(good);
  await Promise.resolve(verifier.verify(bad)).catch(() => {});
  return verifier;
}

/** CPU µs per call (user + system), the median of REPEATS runs. */
function cost(verifier: TokenVerifier, token: string): number {
  const runs: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) {
      try {
        verifier.verify(token);
      } catch {
        // a refused token throws synchronously from the refused-token cache
      }
    }
    const used = process.cpuUsage(start);
    runs.push((used.user + used.system) / CALLS);
  }
  return runs.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

const off = await verifierWith(noopMetrics);
const metrics = new ClaimgateMetrics({ keyCaches: () => [] });
const on = await verifierWith(metrics);
const rows: [string, number, number][] = [];
for (const [name, token] of [['accepted, cached', good], ['refused, cached', bad]] as const) {
  cost(off, token);
  cost(on, token);
  rows.push([name, cost(off, token), cost(on, token)]);
}
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor({ export: (_s, done) => done({ code: 0 }), shutdown: async () => {} })] }));
const spans: number[] = [];
for (const [, token] of [['accepted', good], ['refused', bad]] as const) {
  cost(on, token);
  spans.push(cost(on, token));
}
off.close();
on.close();
await issuer.close();
const lines = ['| verify() | off µs | metrics µs | metrics + recording spans µs | added µs |', '| --- | ---: | ---: | ---: | ---: |'];
rows.forEach(([name, a, b], i) => lines.push(`| ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${spans[i]!.toFixed(3)} | ${(spans[i]! - a).toFixed(3)} |`));
process.stdout.write(`${lines.join('\n')}\n`);
