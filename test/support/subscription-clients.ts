import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

export interface StreamResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** What one subscription received, in order, and how it ended. */
export interface Collected {
  readonly results: StreamResult[];
  /** Set when the stream completed (`complete` on WS or SSE). */
  completed: boolean;
  /** Set when the stream failed (an error message, a close, an HTTP error). */
  error: unknown;
  /** Resolves once `results` holds `count` results, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<StreamResult[]>;
  /** Resolves once the stream has completed or failed, or rejects after `timeoutMs`. */
  ended(timeoutMs?: number): Promise<void>;
  /** Stops the subscription from the client side. */
  stop(): void;
}

type Sink = { next(value: unknown): void; error(error: unknown): void; complete(): void };

function collector(start: (sink: Sink) => () => void): Collected {
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const collected: Collected = {
    results: [],
    completed: false,
    error: undefined,
    waitFor: (count, timeoutMs = 10_000) =>
      until(() => collected.results.length >= count || collected.completed || collected.error !== undefined, timeoutMs, listeners, `${count} results`).then(() => {
        if (collected.results.length < count) throw new Error(`stream ended after ${collected.results.length} results: ${JSON.stringify(collected.results)} ${String(collected.error)}`);
        return collected.results;
      }),
    ended: (timeoutMs = 10_000) => until(() => collected.completed || collected.error !== undefined, timeoutMs, listeners, 'the end of the stream'),
    stop: () => dispose(),
  };
  const dispose = start({
    next: (value) => {
      collected.results.push(value as StreamResult);
      notify();
    },
    error: (error) => {
      collected.error = error;
      notify();
    },
    complete: () => {
      collected.completed = true;
      notify();
    },
  });
  return collected;
}

function until(done: () => boolean, timeoutMs: number, listeners: Set<() => void>, what: string): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const check = () => {
      if (!done()) return;
      clearTimeout(timer);
      listeners.delete(check);
      resolve();
    };
    listeners.add(check);
  });
}

export interface WsConnection {
  readonly client: WsClient;
  /** Close events of the socket, in order. */
  readonly closes: { code: number; reason: string }[];
  subscribe(query: string, variables?: Record<string, unknown>): Collected;
  /** Resolves with the first close event, or rejects after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged the connection. */
  connected(timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client over a real socket (`ws` as the WebSocket), that never
 * retries, so each close is seen as the server sent it.
 */
export function connectWs(url: string, options: { connectionParams?: Record<string, unknown>; headers?: Record<string, string> } = {}): WsConnection {
  const closes: { code: number; reason: string }[] = [];
  const listeners = new Set<() => void>();
  let acknowledged = false;
  const headers = options.headers ?? {};
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: HeaderSocket,
    retryAttempts: 0,
    lazy: false,
    ...(options.connectionParams === undefined ? {} : { connectionParams: options.connectionParams }),
    onNonLazyError: () => {},
    on: {
      connected: () => {
        acknowledged = true;
        for (const listener of [...listeners]) listener();
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
        for (const listener of [...listeners]) listener();
      },
    },
  });
  return {
    client,
    closes,
    subscribe: (query, variables) => collector((sink) => client.subscribe({ query, ...(variables === undefined ? {} : { variables }) }, sink)),
    closed: (timeoutMs = 10_000) => until(() => closes.length > 0, timeoutMs, listeners, 'the socket to close').then(() => closes[0]!),
    connected: (timeoutMs = 10_000) =>
      until(() => acknowledged || closes.length > 0, timeoutMs, listeners, 'connection_ack').then(() => {
        if (!acknowledged) throw new Error(`closed before ack: ${JSON.stringify(closes)}`);
      }),
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** A graphql-sse client (distinct connections mode, as Yoga serves it) for one subscription. */
export function subscribeSse(url: string, query: string, options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {}): Collected {
  const client = createSseClient({ url, headers: options.headers ?? {}, retryAttempts: 0 });
  return collector((sink) => {
    const unsubscribe = client.subscribe({ query, ...(options.variables === undefined ? {} : { variables: options.variables }) }, sink);
    return () => {
      unsubscribe();
      client.dispose();
    };
  });
}

/**
 * A raw SSE reader: POSTs and returns each `event:`/`data:` pair as it
 * arrives, with the response's status and headers — for assertions a
 * client library would hide.
 */
export async function rawSse(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const events: { event: string; data: unknown }[] = [];
  const listeners = new Set<() => void>();
  let finished = false;
  const pump = (async () => {
    if (response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let split;
        while ((split = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (event === undefined) continue;
          events.push({ event, data: data === undefined || data === '' ? undefined : JSON.parse(data) });
          for (const listener of [...listeners]) listener();
        }
      }
    } catch {
      // aborted
    } finally {
      finished = true;
      for (const listener of [...listeners]) listener();
    }
  })();
  return {
    response,
    events,
    waitFor: (count: number, timeoutMs = 10_000) => until(() => events.length >= count || finished, timeoutMs, listeners, `${count} SSE events`).then(() => events),
    finished: (timeoutMs = 10_000) => until(() => finished, timeoutMs, listeners, 'the SSE response to end').then(() => pump),
    abort: () => controller.abort(),
  };
}

/**
 * Neither protocol acknowledges a subscribe: publishes warm-up events (whose
 * results must say "warm-up") until one arrives, so that what is published
 * next has a subscriber. A polling loop with a deadline.
 */
export async function primed(stream: Collected, publish: () => Promise<unknown>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stream.results.some((result) => JSON.stringify(result).includes('warm-up'))) {
    if (stream.completed || stream.error !== undefined) throw new Error(`stream ended while priming: ${JSON.stringify(stream.results)} ${String(stream.error)}`);
    if (Date.now() > deadline) throw new Error('no warm-up event arrived');
    await publish();
    await stream.waitFor(stream.results.length + 1, 100).catch(() => undefined);
  }
}
