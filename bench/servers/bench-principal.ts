import type { JWTPayload } from 'jose';
import type { Principal } from '../../src/principal/principal.ts';

/**
 * The principal a baseline puts in `context.principal`, built from a payload
 * its own JWT verification accepted. Same shape as claimgate's, so the
 * example resolvers run unchanged; no freezing, no claim paths: baselines do
 * what a typical hand-written context function does.
 */
export function principalFromPayload(payload: JWTPayload, issuer: string): Principal {
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as string[]) : [];
  const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
  return { subject: payload.sub ?? '', issuer, roles, scopes, expiresAt: payload.exp ?? 0, claims: payload };
}
