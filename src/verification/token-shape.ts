import { TokenRejectedError } from './token-rejected-error.ts';

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]+$/;

export interface DecodedToken {
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Checks that a token is a compact JWS — exactly three non-empty base64url
 * segments, no padding, no whitespace — and decodes its (unverified) header
 * and payload. We check the alphabet ourselves because base64 decoders
 * silently skip whitespace and padding, which would let two different strings
 * verify as the same token.
 */
export function decodeTokenShape(token: string, maxBytes: number): DecodedToken {
  if (token.length > maxBytes) throw new TokenRejectedError('too_large', `${token.length} characters`);
  const segments = token.split('.');
  if (segments.length === 5) throw new TokenRejectedError('encrypted', 'five segments (JWE)');
  if (segments.length !== 3) throw new TokenRejectedError('malformed', `${segments.length} segments`);
  if (!segments.every((segment) => BASE64URL_SEGMENT.test(segment))) {
    throw new TokenRejectedError('malformed', 'segment is empty or not base64url');
  }
  return { header: jsonObject(segments[0]!, 'header'), payload: jsonObject(segments[1]!, 'payload') };
}

function jsonObject(segment: string, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejectedError('malformed', `${part} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TokenRejectedError('malformed', `${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
