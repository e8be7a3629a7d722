import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { DEFAULTS } from '../config/defaults.ts';

/**
 * `GET /metrics` (exact path): the registry in Prometheus text format. Other
 * methods get 405. It reveals the configured issuers and the schema
 * coordinates that refused callers: serve it on METRICS_PORT, behind the
 * firewall, when the API port is public.
 */
export function useMetricsEndpoint(registry: Registry): Plugin {
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== DEFAULTS.metricsPath) return;
      return metricsResponse(registry, request.method, fetchAPI.Response).then(endResponse);
    },
  };
}

/** The answer to a request for the metrics path: 200 with the exposition for GET and HEAD, 405 otherwise. */
export async function metricsResponse(registry: Registry, method: string, ResponseClass: typeof Response = Response): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') {
    return new ResponseClass('Method Not Allowed\n', { status: 405, headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' } });
  }
  const text = await registry.metrics();
  return new ResponseClass(method === 'HEAD' ? null : text, { status: 200, headers: { 'content-type': registry.contentType, 'cache-control': 'no-store' } });
}
