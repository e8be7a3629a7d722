import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { streamEndedError, type StreamEndCode } from '../errors.ts';
import { noopMetrics, type MetricsRecorder, type SubscriptionEndReason } from '../telemetry/metrics-recorder.ts';
import type { Principal } from '../principal/principal.ts';
import { endableStream } from './endable-stream.ts';
import type { TokenLifetime } from './token-lifetime.ts';

const END_REASONS: Readonly<Record<StreamEndCode, SubscriptionEndReason>> = Object.freeze({
  TOKEN_EXPIRED: 'expired',
  TOKEN_KEY_RETIRED: 'key_retired',
});

/**
 * Ends every subscription of an authenticated caller when its token does:
 * at `exp` plus the clock tolerance (a timer), or when a key-set refresh
 * drops the key that signed it. The stream's last result is an error with
 * `extensions.code` TOKEN_EXPIRED or TOKEN_KEY_RETIRED, then it completes;
 * no event after that instant gets through, even one already on its way.
 * Runs for every transport Yoga executes through (SSE, and WebSocket when
 * operations go through `yoga.getEnveloped`). Anonymous subscriptions are
 * never ended this way; every stream is counted (open, and ended by reason).
 */
export function useTokenBoundStreams(lifetime: TokenLifetime, metrics: MetricsRecorder = noopMetrics): Plugin {
  return {
    onSubscribe({ args }) {
      const principal = (args.contextValue as { principal?: Principal | null } | undefined)?.principal ?? null;
      if (principal === null && metrics === noopMetrics) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          let reason: SubscriptionEndReason = 'completed';
          let unwatch = (): void => {};
          const endWith = (code: StreamEndCode): ExecutionResult => {
            reason = END_REASONS[code];
            return { errors: [streamEndedError(code)] };
          };
          metrics.subscriptionOpened();
          const stream = endableStream<ExecutionResult>(result as AsyncIterable<ExecutionResult>, {
            beforeEach: () => {
              const code = principal === null ? undefined : lifetime.reasonToEnd(principal);
              return code === undefined ? undefined : endWith(code);
            },
            onClose: () => {
              unwatch();
              metrics.subscriptionEnded(reason);
            },
          });
          if (principal !== null) unwatch = lifetime.watch(principal, (code) => stream.end(endWith(code)));
          setResult(stream);
        },
      };
    },
  };
}
