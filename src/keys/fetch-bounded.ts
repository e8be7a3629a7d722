import { isIP } from 'node:net';
import { ClaimgateError, CLAIMGATE_ERROR_CODES, hasClaimgateCode } from '../claimgate-error.ts';
import type { KeyFetchResult } from '../telemetry/metrics-recorder.ts';

/** Why a key or discovery fetch failed; logged, never shown to clients. */
export class FetchFailedError extends ClaimgateError {
  static override readonly code = CLAIMGATE_ERROR_CODES.FETCH_FAILED;
  override readonly code = FetchFailedError.code;
  override readonly name = 'FetchFailedError';

  constructor(
    message: string,
    /** The failure's class, a metrics label. */
    readonly result: Exclude<KeyFetchResult, 'ok'> = 'invalid',
  ) {
    super(message);
  }
}

export interface FetchBoundedOptions {
  /** Abandon the request after this many milliseconds. */
  readonly timeoutMs: number;
  /** Refuse a body larger than this many bytes. */
  readonly maxBodyBytes: number;
}

/**
 * GETs a JSON document with a timeout and a body-size limit, and returns the
 * parsed value. Redirects are not followed (a redirect could lead from https
 * to plain http); TLS verification is Node's own and is never turned off —
 * a private CA goes in through NODE_EXTRA_CA_CERTS.
 */
export async function fetchJson(url: URL, options: FetchBoundedOptions): Promise<{ body: unknown; headers: Headers }> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json, application/jwk-set+json' },
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw signal.aborted
      ? new FetchFailedError(`timed out after ${options.timeoutMs} ms`, 'timeout')
      : new FetchFailedError(`request failed (${describe(error)})`, 'unreachable');
  }
  try {
    if (response.status !== 200) throw new FetchFailedError(`answered HTTP ${response.status}`, 'http_error');
    const declared = Number(response.headers.get('content-length'));
    if (declared > options.maxBodyBytes) throw new FetchFailedError(`body of ${declared} bytes exceeds ${options.maxBodyBytes}`, 'too_large');
    const text = await readLimited(response, options.maxBodyBytes, signal);
    try {
      return { body: JSON.parse(text) as unknown, headers: response.headers };
    } catch {
      throw new FetchFailedError('body is not JSON', 'invalid');
    }
  } finally {
    // Release the connection whatever happened above.
    response.body?.cancel().catch(() => {});
  }
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw new FetchFailedError(`body exceeds ${maxBytes} bytes`, 'too_large');
      chunks.push(value);
    }
  } catch (error) {
    if (hasClaimgateCode(error, FetchFailedError.code)) throw error;
    throw signal.aborted
      ? new FetchFailedError('timed out while reading the body', 'timeout')
      : new FetchFailedError(`body could not be read (${describe(error)})`, 'unreachable');
  } finally {
    reader.releaseLock();
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? 'unknown error';
}

/** True for `localhost` and addresses in 127.0.0.0/8 or ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** Plain http is accepted only for loopback addresses. */
export function isAllowedKeyUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
