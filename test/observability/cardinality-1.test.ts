import { test } from 'node:test';
import { withIssuerAndApi } from '../support/test-api.ts';
import { assertRandomRequestsAddNoSeries } from '../support/random-requests.ts';

// The 10,000 random requests, in two files of 5,000 (cardinality-1 and
// -2, each its own server): each file fits the runner's 120 s per file on a
// machine shared by six test runs (one file of 10,000 took over 120 s there,
// ~30 s alone).
const running = withIssuerAndApi();

test('5,000 requests (of 10,000: part 1) with random tokens, kids, issuers and field names leave the series count unchanged', () =>
  assertRandomRequestsAddNoSeries(running, 5_000));
