import type { Principal } from '../../src/principal/principal.ts';

/**
 * What the no-auth servers put in every request's context without verifying
 * anything, so `me` resolves the same fields as on the servers that verify.
 */
export const HOT_PRINCIPAL: Principal = Object.freeze({
  subject: 'bench-hot',
  issuer: process.env['AUTH_ISSUER'] ?? '',
  roles: ['admin', 'editor'],
  scopes: ['reports:read'],
  expiresAt: 0,
  claims: {},
});
