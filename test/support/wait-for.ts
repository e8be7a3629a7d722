/**
 * Polls `condition` every `intervalMs` until it returns true, and fails with
 * `what` once `timeoutMs` has passed: a poll never outlives its deadline.
 *
 * @example
 * await waitFor(() => /listening on/.test(stdout), { what: 'the server to listen' });
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { what, timeoutMs = 20_000, intervalMs = 25 }: { what: string; timeoutMs?: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True when `url` answers 200; false while it does not, or cannot be reached yet. */
export async function answers200(url: string): Promise<boolean> {
  const response = await fetch(url).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}
