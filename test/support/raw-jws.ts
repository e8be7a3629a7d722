import { constants, KeyObject, sign } from 'node:crypto';

/** base64url of a string as is, or of any other value as JSON: for hand-built token segments. */
export function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/**
 * Signs header.payload (SHA-256, RSA PKCS#1 v1.5 or PSS) with raw node:crypto,
 * for tokens jose refuses to produce: unknown `crit`, `b64: false`, odd headers.
 */
export function rawSign(header: Record<string, unknown>, claims: Record<string, unknown>, privateKey: CryptoKey, options: { pss?: boolean } = {}): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: KeyObject.from(privateKey),
    ...(options.pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {}),
  });
  return `${input}.${signature.toString('base64url')}`;
}
