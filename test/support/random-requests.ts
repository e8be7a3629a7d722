import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import type { TestApi } from './test-api.ts';
import type { TestIssuer } from './test-issuer.ts';
import { parsePrometheusText } from './prometheus-text.ts';


const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const random = (bytes = 6) => randomBytes(bytes).toString('base64url');

/**
 * A random credential: garbage, a JWS-shaped token with a random issuer,
 * kid and claims (signature random), one naming the real issuer with a
 * random kid, or one with a random kid and the real issuer's audience.
 */
function randomToken(issuer: string): string {
  switch (randomInt(4)) {
    case 0:
      return random(randomInt(1, 60));
    case 1:
      return `${b64url({ alg: 'RS256', kid: random() })}.${b64url({ iss: `https://${random()}.example`, sub: random(), aud: random(), exp: 4e9 })}.${random(32)}`;
    case 2:
      return `${b64url({ alg: 'RS256', kid: random() })}.${b64url({ iss: issuer, sub: random(), aud: 'https://api.claimgate.test', exp: 4e9 })}.${random(32)}`;
    default:
      return `${b64url({ alg: random(3), kid: random(), typ: random() })}.${b64url({ iss: random(), [random()]: random() })}.${random(8)}`;
  }
}

/** Scraped in process too: an HTTP connection idle through the run could meet the server's keep-alive timeout. */
async function scrape(api: TestApi) {
  const response = await api.server.yoga.fetch(`${api.server.metricsOrigin}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheusText(await response.text());
}

/**
 * Sends `total` requests in process (Yoga's own fetch: the whole plugin runs,
 * without an HTTP client's cost on a shared machine), half with a random
 * token on a valid query (a query that fails validation never reaches the
 * token), half asking for a random field; asserts they were all refused, that
 * the number of series did not change, and that they reached the counters.
 */
export async function assertRandomRequestsAddNoSeries(running: { api: TestApi; issuer: TestIssuer }, total: number): Promise<void> {
  const { api, issuer } = running;
  const before = (await scrape(api)).samples.size;
  let sent = 0;
  const statuses = new Map<number, number>();
  const worker = async () => {
    while (sent < total) {
      sent++;
      const field = `f_${random(4).replace(/[^A-Za-z0-9_]/g, '_')}`;
      const withToken = sent % 2 === 0;
      const response = await api.server.yoga.fetch(api.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(withToken ? { authorization: `Bearer ${randomToken(issuer.issuer)}` } : {}) },
        body: JSON.stringify({ query: withToken ? '{ publicInfo }' : `{ ${field} publicInfo }` }),
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  assert.deepEqual([...statuses.keys()].sort(), [400, 401], 'every request was refused for its token or its unknown field');
  const exposition = await scrape(api);
  assert.equal(exposition.samples.size, before);
  const rejected = [...exposition.samples].filter(([key]) => key.startsWith('claimgate_token_verifications_total{') && key.includes('outcome="rejected"'));
  assert.ok(rejected.reduce((sum, [, value]) => sum + value, 0) >= total / 2);
}
