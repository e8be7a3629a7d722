// Server 3, what Yoga users do today: @graphql-yoga/plugin-jwt verifies the
// token against the issuer's JWKS (jwks-rsa + jsonwebtoken), and
// @envelop/generic-auth enforces the schema's @auth / @hasRole directives.
import { createYoga } from 'graphql-yoga';
import { createRemoteJwksSigningKeyProvider, extractFromHeader, useJWT } from '@graphql-yoga/plugin-jwt';
import { createUnauthenticatedError, useGenericAuth, type ValidateUserFnParams } from '@envelop/generic-auth';
import type { JWTPayload } from 'jose';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { principalFromPayload } from './bench-principal.ts';
import { listen } from './listen.ts';
import type { Principal } from '../../src/principal/principal.ts';

const issuer = required('AUTH_ISSUER');

/**
 * generic-auth has no role directive: this reads @auth and @hasRole from the
 * type and the field, as claimgate does. It runs once per field *selection*
 * during validation, not per resolved object.
 */
function validateUser({ user, typeDirectives, fieldDirectives, fieldNode, path }: ValidateUserFnParams<Principal>) {
  const directives = [typeDirectives, fieldDirectives];
  const requiresAuth = directives.some((d) => d?.['auth'] !== undefined || d?.['hasRole'] !== undefined);
  if (!requiresAuth) return undefined;
  const requiredRoles = directives.flatMap((d) => (d?.['hasRole'] ?? []).map((args) => String(args['role'])));
  if (user == null || !requiredRoles.every((role) => user.roles.includes(role))) {
    return createUnauthenticatedError({ fieldNode, path });
  }
  return undefined;
}

const yoga = createYoga<object, { jwt?: { payload: JWTPayload } }>({
  schema: createPlainExampleSchema(),
  plugins: [
    useJWT({
      signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: required('AUTH_JWKS_URI') })],
      tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      tokenVerification: { algorithms: ['RS256'], issuer, audience: required('AUTH_AUDIENCE') },
      // Anonymous callers may read public fields; a bad token is still a 401.
      reject: { missingToken: false, invalidToken: true },
    }),
    useGenericAuth<Principal, { jwt?: { payload: JWTPayload } }, 'principal'>({
      mode: 'protect-granular',
      contextFieldName: 'principal',
      resolveUserFn: (context) => (context.jwt === undefined ? null : principalFromPayload(context.jwt.payload, issuer)),
      validateUser,
    }),
  ],
});
listen(yoga, process.env);

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new TypeError(`${name} must be set.`);
  return value;
}
