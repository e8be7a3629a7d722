import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url } from 'jose';
import type { CompositionResult } from '@apollo/composition';
import { composeLive, mintCallerTokens, type Caller } from './cross-subgraph-matrix.ts';
import { createReviewsSchema } from './reviews-subgraph.ts';
import { startTestApi, type TestApi } from '../support/test-api.ts';
import { createTestKey, JWKS_PATH, startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';

/** The cookie claimgate reads when there is no Authorization header (AUTH_COOKIE), in front of every gateway. */
export const COOKIE_NAME = 'claimgate_token';

/** Tokens claimgate must refuse, each with the description its 401 carries. */
export interface RefusedTokens {
  readonly forged: string;
  readonly expired: string;
  readonly algNone: string;
}

export interface Subgraphs {
  readonly issuer: TestIssuer;
  readonly example: TestApi;
  readonly reviews: TestApi;
  /** Where the live `_service { sdl }` of each subgraph and their supergraph were written. */
  readonly files: { readonly exampleSchema: string; readonly reviewsSchema: string; readonly supergraph: string; readonly home: string };
  /** What @apollo/composition composed from the live SDL (checked to have no errors). */
  readonly composition: CompositionResult;
  readonly tokens: Record<Caller, { token?: string }>;
  readonly refused: RefusedTokens;
  /** A valid-looking token of a second issuer whose JWKS endpoint is down: claimgate answers 503 AUTH_UNAVAILABLE. */
  readonly keysDown: string;
  close(): Promise<void>;
}

/**
 * The example and reviews subgraphs, both running claimgate against the same
 * two issuers (one healthy, one whose keys cannot be fetched) with the cookie
 * source on, their live SDL, and a supergraph composed from it with
 * @apollo/composition: what a gateway in front of claimgate is given.
 */
export async function startSubgraphs(): Promise<Subgraphs> {
  const directory = await mkdtemp(join(tmpdir(), 'claimgate-gateways-'));
  const [issuer, down] = await Promise.all([startTestIssuer(), startTestIssuer()]);
  down.keyServer.fail(JWKS_PATH, { kind: 'status', status: 503 });
  const issuers = join(directory, 'issuers.json');
  await writeFile(issuers, JSON.stringify({
    issuers: [issuer, down].map((entry) => ({ issuer: entry.issuer, audience: [TEST_AUDIENCE], jwksUri: entry.jwksUri })),
  }));
  const env = { AUTH_CONFIG: issuers, AUTH_COOKIE: COOKIE_NAME };
  // The down issuer's keys never load, so the servers are never "ready"; the healthy issuer's keys load on first use.
  const [example, reviews] = await Promise.all([
    startTestApi(env, { waitForKeys: false }),
    startTestApi(env, { waitForKeys: false, schema: createReviewsSchema() }),
  ]);

  const { exampleSdl, reviewsSdl, composition } = await composeLive(example, reviews);
  assert.equal(composition.errors, undefined, composition.errors?.map((error) => error.message).join('\n'));
  const files = {
    exampleSchema: join(directory, 'example.graphql'),
    reviewsSchema: join(directory, 'reviews.graphql'),
    supergraph: join(directory, 'supergraph.graphql'),
    home: join(directory, 'grafbase-home'),
  };
  await Promise.all([
    writeFile(files.exampleSchema, exampleSdl),
    writeFile(files.reviewsSchema, reviewsSdl),
    writeFile(files.supergraph, composition.supergraphSdl!),
  ]);

  const everything = { roles: ['editor', 'admin'], scope: 'reports:read', email_verified: true };
  const refused: RefusedTokens = {
    forged: await issuer.mint(everything, { key: await createTestKey('RS256', issuer.keys[0]!.kid) }),
    expired: await issuer.mint(everything, { ttl: -600 }),
    algNone: unsignedToken({ iss: issuer.issuer, aud: TEST_AUDIENCE, sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600, ...everything }),
  };

  return {
    issuer,
    example,
    reviews,
    files,
    composition,
    tokens: await mintCallerTokens(issuer),
    refused,
    keysDown: await down.mint(everything),
    close: async () => {
      await Promise.all([example.close(), reviews.close()]);
      await Promise.all([issuer.close(), down.close()]);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** `alg: none`: a header, a payload and an empty signature. */
function unsignedToken(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;
}
