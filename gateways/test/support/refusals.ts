import assert from 'node:assert/strict';
import { PROTECTED_VALUES } from '../../../test/federation/cross-subgraph-matrix.ts';
import { graphql, type GraphQLResponse } from '../../../test/support/test-api.ts';
import type { RefusedTokens, Subgraphs } from '../../../test/federation/start-subgraphs.ts';

/** Each token claimgate refuses, and the description its 401 carries. All claim every role, scope and claim. */
export const REFUSALS: readonly { name: string; token: keyof RefusedTokens; description: string }[] = [
  { name: 'a token signed with another key under the issuer’s kid', token: 'forged', description: 'invalid signature' },
  { name: 'an expired token', token: 'expired', description: 'token expired' },
  { name: 'an alg: none token', token: 'algNone', description: 'malformed token' },
];

/** No value that only a permitted caller may read appears anywhere in the response. */
export function assertNoProtectedValue(response: GraphQLResponse): void {
  const text = JSON.stringify(response.body);
  for (const value of PROTECTED_VALUES) assert.ok(!text.includes(value), `the response leaks ${value}: ${text}`);
}

/** The same token sent straight to each subgraph: 401, the Bearer challenge, claimgate's body; nothing executed. */
export async function directRefusal(subgraphs: Subgraphs, token: string, description: string): Promise<void> {
  for (const api of [subgraphs.example, subgraphs.reviews]) {
    const response = await graphql(api.graphqlUrl, { query: api === subgraphs.example ? '{ user(id: "u1") { email } }' : '{ latestReviews { id } }', token });
    assert.deepEqual(
      [response.status, response.headers.get('www-authenticate'), response.body],
      [401, `Bearer error="invalid_token", error_description="${description}"`, { errors: [{ message: `Unauthenticated: ${description}.`, extensions: { code: 'UNAUTHENTICATED' } }] }],
    );
  }
}
