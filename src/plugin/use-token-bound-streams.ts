import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ExecutionResult } from 'graphql';
import { streamEndedError } from '../errors.ts';
import type { Principal } from '../principal.ts';
import { endableStream } from './endable-stream.ts';
import type { TokenLifetime } from './token-lifetime.ts';

/**
 * Ends every subscription of an authenticated caller when its token does:
 * at `exp` plus the clock tolerance (a timer), or when a key-set refresh
 * drops the key that signed it. The stream's last result is an error with
 * `extensions.code` TOKEN_EXPIRED or TOKEN_KEY_RETIRED, then it completes;
 * no event after that instant gets through, even one already on its way.
 * Runs for every transport Yoga executes through (SSE, and WebSocket when
 * operations go through `yoga.getEnveloped`). Anonymous subscriptions are
 * left alone.
 */
export function useTokenBoundStreams(lifetime: TokenLifetime): Plugin {
  return {
    onSubscribe({ args }) {
      const principal = (args.contextValue as { principal?: Principal | null } | undefined)?.principal;
      if (principal === null || principal === undefined) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return;
          let unwatch = (): void => {};
          const stream = endableStream<ExecutionResult>(result as AsyncIterable<ExecutionResult>, {
            beforeEach: () => {
              const code = lifetime.reasonToEnd(principal);
              return code === undefined ? undefined : { errors: [streamEndedError(code)] };
            },
            onClose: () => unwatch(),
          });
          unwatch = lifetime.watch(principal, (code) => stream.end({ errors: [streamEndedError(code)] }));
          setResult(stream);
        },
      };
    },
  };
}
