// The load generator's own process (pinned to its own core by load.ts):
// receives the tokens once, then runs one autocannon load per message.
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult, TokenLists, WorkerMessage } from './load.ts';

let tokens: TokenLists | undefined;

process.on('message', (message: WorkerMessage) => {
  if (message.type === 'tokens') {
    tokens = message.tokens;
    process.send?.({ type: 'ready' });
    return;
  }
  runLoad(message.request).then(
    (result) => process.send?.({ type: 'result', result }),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
  );
});

async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const result = await fire(request);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function fire(request: LoadRequest): Promise<autocannon.Result> {
  if (tokens === undefined) throw new Error('The worker received no tokens before a load request.');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (request.tokens === 'hot') headers['authorization'] = `Bearer ${tokens.hot}`;
  const rotate = rotatingAuthorization(request.tokens, tokens);
  return autocannon({
    url: request.url,
    connections: request.connections,
    duration: request.durationSeconds,
    method: 'POST',
    headers,
    body: JSON.stringify({ query: request.query }),
    // Only rotating plans pay for rebuilding each request; a new headers object every time.
    ...(rotate === undefined
      ? {}
      : { requests: [{ setupRequest: (req) => ({ ...req, headers: { ...headers, authorization: rotate() } }) }] }),
  });
}

/** The Authorization value for the next request, or undefined when every request carries the same. */
function rotatingAuthorization(plan: LoadRequest['tokens'], { hot, pool, invalid }: TokenLists) {
  let sent = 0;
  switch (plan) {
    case 'none':
    case 'hot':
      return undefined;
    case 'pool':
      return () => `Bearer ${pool[sent++ % pool.length] ?? ''}`;
    case 'hot-with-invalid':
      return () => {
        sent += 1;
        return sent % 10 === 0 ? `Bearer ${invalid[(sent / 10) % invalid.length] ?? ''}` : `Bearer ${hot}`;
      };
  }
}
