/**
 * A stream that can be ended from outside with one last value. An async
 * iterator with `return` and `throw` (not an AsyncGenerator: newer lib types
 * add `Symbol.asyncDispose` to that, which Node 20's do not know).
 */
export interface EndableStream<T> extends AsyncIterableIterator<T> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
  throw(error: unknown): Promise<IteratorResult<T, undefined>>;
  /**
   * Ends the stream: `final` is the next (and last) value a consumer gets,
   * even one waiting for the source right now; the source is closed and
   * nothing it yields afterwards gets through. Later calls do nothing.
   */
  end(final: T): void;
}

/**
 * Wraps an async iterable so that it can be ended with a final value.
 * `beforeEach` runs before each value of the source is handed out: when it
 * returns a final value, the stream ends with that instead (so a value that
 * arrives after a deadline whose timer has not fired yet never gets out).
 * `onClose` runs once, however the stream ends.
 */
export function endableStream<T>(
  source: AsyncIterable<T>,
  options: { readonly beforeEach?: () => T | undefined; readonly onClose?: () => void } = {},
): EndableStream<T> {
  const iterator = source[Symbol.asyncIterator]();
  type State = 'open' | 'ending' | 'done';
  let state = 'open' as State;
  // Read after an await: end() or return() may have run meanwhile.
  const now = (): State => state;
  let final: T | undefined;
  let wake: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const close = () => {
    if (state === 'done') return;
    state = 'done';
    options.onClose?.();
  };
  const finish = (): IteratorResult<T, undefined> => {
    const value = final as T;
    final = undefined;
    close();
    return { value, done: false };
  };
  const closeSource = () => {
    // The source's own cleanup (a pub/sub unsubscription); its errors are not the consumer's.
    void Promise.resolve()
      .then(() => iterator.return?.())
      .catch(() => undefined);
  };

  const stream: EndableStream<T> = {
    end(value: T) {
      if (state !== 'open') return;
      state = 'ending';
      final = value;
      wake?.();
      closeSource();
    },
    async next() {
      if (state === 'ending') return finish();
      if (state === 'done') return { value: undefined, done: true };
      let result: IteratorResult<T> | undefined;
      try {
        result = await Promise.race([iterator.next(), stopped.then(() => undefined)]);
      } catch (error) {
        if (now() === 'ending') return finish();
        close();
        throw error;
      }
      if (now() === 'ending') return finish();
      if (now() === 'done') return { value: undefined, done: true };
      if (result === undefined || result.done) {
        close();
        return { value: undefined, done: true };
      }
      const last = options.beforeEach?.();
      if (last !== undefined) {
        stream.end(last);
        return finish();
      }
      return { value: result.value, done: false };
    },
    async return() {
      const wasOpen = state === 'open';
      close();
      if (wasOpen) await iterator.return?.();
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      const wasOpen = state === 'open';
      close();
      if (wasOpen && iterator.throw !== undefined) await iterator.throw(error);
      else if (wasOpen) await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
