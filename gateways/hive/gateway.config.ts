import type { IncomingMessage } from 'node:http';
import { defineConfig, type GatewayPlugin } from '@graphql-hive/gateway';

/**
 * Node keeps only the first of two Authorization headers, so the subgraph
 * would see one token and never know the client sent two. Refuse them here,
 * as claimgate refuses them when called directly.
 */
const refuseDuplicateAuthorization: GatewayPlugin = {
  onRequest({ serverContext, endResponse, fetchAPI }) {
    const req = (serverContext as { req?: IncomingMessage }).req;
    if ((req?.headersDistinct.authorization?.length ?? 0) < 2) return;
    endResponse(
      new fetchAPI.Response(
        JSON.stringify({ errors: [{ message: 'Unauthenticated: more than one Authorization header.', extensions: { code: 'UNAUTHENTICATED' } }] }),
        {
          status: 401,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'www-authenticate': 'Bearer error="invalid_request", error_description="more than one Authorization header"',
          },
        },
      ),
    );
  },
};

/**
 * Hive Gateway in front of claimgate subgraphs, as the gateway tests run it:
 * `hive-gateway supergraph <supergraph.graphql> -c gateway.config.ts --host 127.0.0.1 --port <port>`.
 *
 * The gateway only forwards credentials; every subgraph verifies them itself.
 * Set CLAIMGATE_FORWARD_COOKIE=1 when claimgate reads the token from a cookie (AUTH_COOKIE).
 */
export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers: Record<string, string> = {};
      const authorization = request.headers.get('authorization');
      if (authorization !== null) headers.authorization = authorization;
      const cookie = process.env.CLAIMGATE_FORWARD_COOKIE === '1' ? request.headers.get('cookie') : null;
      if (cookie !== null) headers.cookie = cookie;
      return headers;
    },
  },
  plugins: () => [refuseDuplicateAuthorization],
  // Nothing is reported anywhere: Hive reports usage or fetches from its CDN only when HIVE_* tokens are set (the tests unset them).
  disableWebsockets: true,
  maskedErrors: true,
});
