import { defineConfig } from '@graphql-hive/gateway';

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
  // Nothing is reported anywhere: Hive reports usage or fetches from its CDN only when HIVE_* tokens are set (the tests unset them).
  disableWebsockets: true,
  maskedErrors: true,
});
