import type { Plugin } from 'graphql-yoga';
import { DEFAULTS } from '../config/defaults.ts';

/**
 * `GET /healthz`: 200 while the process lives (exact path). Readiness
 * (`/readyz`, keys loaded) comes with `useClaimgate`.
 */
export function useHealthEndpoints(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === DEFAULTS.healthEndpoint) {
        endResponse(fetchAPI.Response.json({ status: 'ok' }, { headers: { 'cache-control': 'no-store' } }));
      }
    },
  };
}
