import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { PROTECTED_VALUES } from '../../../test/federation/cross-subgraph-matrix.ts';
import { graphql, type GraphQLResponse } from '../../../test/support/test-api.ts';
import type { RefusedTokens, Subgraphs } from './start-subgraphs.ts';

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

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * POSTs a GraphQL request with hand-written header lines (fetch would merge
 * repeated headers into one). Unlike test/support/raw-http.ts it keeps its
 * side of the connection open until the answer: the gateways drop a request
 * whose client half-closed the socket.
 */
export function postWithHeaderLines(url: string, lines: readonly string[], request: { query: string }): Promise<RawResponse> {
  const target = new URL(url);
  const body = JSON.stringify(request);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => {
      socket.write(
        [
          `POST ${target.pathname} HTTP/1.1`,
          `Host: ${target.host}`,
          'Content-Type: application/json',
          'Accept: application/graphql-response+json, application/json',
          ...lines,
          `Content-Length: ${Buffer.byteLength(body)}`,
          'Connection: close',
        ].join('\r\n') + `\r\n\r\n${body}`,
      );
    });
    const chunks: Buffer[] = [];
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer from ${url} within 30 s`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      let payload = text.slice(split + 4);
      if (headers['transfer-encoding'] === 'chunked') payload = dechunk(payload);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: payload });
    });
  });
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
