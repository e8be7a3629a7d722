import type { Plugin } from 'graphql-yoga';

export interface HealthEndpointsOptions {
  /** True once the server can judge tokens (keys loaded). */
  readonly ready: () => boolean;
}

/**
 * `GET /healthz`: 200 while the process lives. `GET /readyz`: 200 once keys
 * are loaded, 503 before. Exact paths only.
 */
export function useHealthEndpoints(options: HealthEndpointsOptions): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(fetchAPI.Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));
      } else if (url.pathname === '/readyz') {
        const ready = options.ready();
        endResponse(
          fetchAPI.Response.json(
            { status: ready ? 'ready' : 'loading keys' },
            { status: ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
          ),
        );
      }
    },
  };
}
