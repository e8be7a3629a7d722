// The library path: a user's own createYoga + useClaimgate + node:http
// server, with the exported attachWebSockets. Every protection must hold here
// as under `npm start`.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createPubSub, createYoga } from 'graphql-yoga';
import { attachWebSockets, makeAuthSchema, silentLogger, useClaimgate, type ClaimgatePlugin, type WebSocketTransport } from '../../src/index.ts';
import { startTestIssuer, TEST_AUDIENCE, type TestIssuer } from '../support/test-issuer.ts';
import { startKeyServer, type KeyServer } from '../support/key-server.ts';
import { connectWs, primed, rawSse, subscribeSse, type Collected, type WsConnection } from '../support/subscription-clients.ts';

const typeDefs = /* GraphQL */ `
  type Query { ok: Boolean @public }
  type Mutation { publish(name: String!): Boolean @public }
  type Item @public {
    name: String!
    "Type-level requirement of the payload's type, reached on each event."
    classified: Classified
    tags(limit: Int!): [String!]!
  }
  type Classified @hasRole(role: "admin") { code: String! }
  type Subscription {
    items: Item! @public
    "Checked at subscribe: a denied caller never reaches the source."
    secretItems: Item! @hasRole(role: "admin")
    "One event, then the source fails with an internal message."
    failing: Item! @auth
  }
`;

interface Running {
  readonly url: string;
  readonly server: Server;
  readonly claimgate: ClaimgatePlugin;
  readonly ws: WebSocketTransport;
  readonly subscribeCalls: { secretItems: number };
  publish(name: string): void;
  close(): Promise<void>;
}

async function startOwnServer(issuers: { issuer: string; audience: string[]; jwksUri: string }[], options: { cookieName?: string; corsOrigins?: string[] } = {}): Promise<Running> {
  const pubsub = createPubSub<{ item: [item: { name: string }] }>();
  const subscribeCalls = { secretItems: 0 };
  const schema = makeAuthSchema({
    typeDefs,
    resolvers: {
      Query: { ok: () => true },
      Mutation: { publish: (_: unknown, args: { name: string }) => (pubsub.publish('item', { name: args.name }), true) },
      Item: { classified: () => ({ code: 'X-1' }), tags: (_: unknown, args: { limit: number }) => Array.from({ length: Math.min(args.limit, 3) }, (_, i) => `t${i}`) },
      Subscription: {
        items: { subscribe: () => pubsub.subscribe('item'), resolve: (item: unknown) => item },
        failing: {
          subscribe: async function* () {
            yield { name: 'first' };
            throw new Error('connection to db-7.internal:5432 refused (password=hunter2)');
          },
          resolve: (item: unknown) => item,
        },
        secretItems: {
          subscribe: () => {
            subscribeCalls.secretItems++;
            return pubsub.subscribe('item');
          },
          resolve: (item: unknown) => item,
        },
      },
    },
  });
  const claimgate = useClaimgate({
    issuers,
    logger: silentLogger,
    limits: { maxCost: 200, maxListItems: 4 },
    subscriptions: { maxPerConnection: 5, connectionInitTimeoutMs: 1_000 },
    verifier: { jwks: { retryInitialMs: 60_000, cooldownMs: 60_000 } },
    ...options,
  });
  const yoga = createYoga({ schema, plugins: [claimgate], maxRequestBodySize: false, logging: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = attachWebSockets(server, yoga, claimgate);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    server,
    claimgate,
    ws,
    subscribeCalls,
    publish: (name) => pubsub.publish('item', { name }),
    close: async () => {
      await ws.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await yoga.dispose();
    },
  };
}

let issuer: TestIssuer;
let running: Running;
const sockets: WsConnection[] = [];
const streams: Collected[] = [];

before(async () => {
  issuer = await startTestIssuer();
  running = await startOwnServer([{ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri }]);
  const deadline = Date.now() + 5_000;
  while (!running.claimgate.verifier.ready) {
    assert.ok(Date.now() < deadline, 'keys did not load');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
after(async () => {
  for (const stream of streams) stream.stop();
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await running?.close();
  await issuer?.close();
});

function connect(token?: string, url = running.url): WsConnection {
  const connection = connectWs(url, token === undefined ? {} : { connectionParams: { authorization: `Bearer ${token}` } });
  sockets.push(connection);
  return connection;
}

function sse(query: string, token?: string): Collected {
  const stream = subscribeSse(running.url, query, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  streams.push(stream);
  return stream;
}

const SECRET = 'subscription { secretItems { name } }';

describe('checked at subscribe', () => {
  test('a denied subscription never calls the source subscribe, on either transport; the allowed one does', async () => {
    const reader = await issuer.mint({ roles: ['reader'] });
    const attempts = [connect().subscribe(SECRET), connect(reader).subscribe(SECRET), sse(SECRET), sse(SECRET, reader)];
    for (const attempt of attempts) await attempt.ended();
    assert.deepEqual(
      attempts.map((attempt) => attempt.results.map((result) => result.errors?.map((error) => error.extensions?.code))),
      [[['UNAUTHENTICATED']], [['FORBIDDEN']], [['UNAUTHENTICATED']], [['FORBIDDEN']]],
    );
    assert.equal(running.subscribeCalls.secretItems, 0);
    const admin = await issuer.mint({ roles: ['admin'] });
    const overWs = connect(admin).subscribe(SECRET);
    const overSse = sse(SECRET, admin);
    await primed(overWs, async () => running.publish('warm-up'));
    await primed(overSse, async () => running.publish('warm-up'));
    assert.equal(running.subscribeCalls.secretItems, 2);
  });
});

describe('verified once per connection', () => {
  test('the token is verified at connection_init only: no operation of the connection verifies again', async () => {
    const token = await issuer.mint({ roles: ['admin'], sub: `once-${Date.now()}` });
    const before = running.claimgate.verifier.stats.verifyCalls;
    const connection = connect(token);
    const streams = [connection.subscribe(SECRET), connection.subscribe('subscription { items { name } }'), connection.subscribe(SECRET)];
    for (const stream of streams) await primed(stream, async () => running.publish('warm-up'));
    const query = connection.subscribe('{ ok }');
    await query.ended();
    assert.deepEqual(query.results, [{ data: { ok: true } }]);
    assert.equal(running.claimgate.verifier.stats.verifyCalls - before, 1);
  });
});

describe('nothing internal reaches a client', () => {
  test('a source that fails mid-stream ends the stream with a masked error, on WS and SSE', async () => {
    const token = await issuer.mint();
    const overWs = connect(token).subscribe('subscription { failing { name } }');
    const overSse = sse('subscription { failing { name } }', token);
    await overWs.ended();
    await overSse.ended();
    const leaked = JSON.stringify([overWs, overSse].map((stream) => [stream.results, String(stream.error), JSON.stringify(stream.error)]));
    assert.ok(!/db-7|hunter2|5432/.test(leaked), leaked);
    // Yoga's masking, as over HTTP: WebSocket gets an `error` message, SSE a last result.
    assert.deepEqual((overWs.error as { message: string }[]).map((error) => error.message), ['Unexpected error.']);
    assert.deepEqual(overSse.results[1]?.errors?.map((error) => error.message), ['Unexpected error.']);
    assert.deepEqual([overWs.results[0], overSse.results[0]], [{ data: { failing: { name: 'first' } } }, { data: { failing: { name: 'first' } } }]);
  });
});

describe('checked on every event', () => {
  test('a type-level requirement of the payload\'s type: that field null with FORBIDDEN at its path, the rest intact (WS and SSE)', async () => {
    const query = 'subscription { items { name classified { code } } }';
    const reader = await issuer.mint({ roles: ['reader'] });
    const overWs = connect(reader).subscribe(query);
    const overSse = sse(query, reader);
    await primed(overWs, async () => running.publish('warm-up'));
    await primed(overSse, async () => running.publish('warm-up'));
    const expected = {
      data: { items: { name: 'warm-up', classified: null } },
      errors: [{ message: 'Forbidden: requires role admin.', locations: [{ line: 1, column: 29 }], path: ['items', 'classified'], extensions: { code: 'FORBIDDEN' } }],
    };
    assert.deepEqual([overWs.results[0], overSse.results[0]], [expected, expected]);
    const admin = connect(await issuer.mint({ roles: ['admin'] })).subscribe(query);
    await primed(admin, async () => running.publish('warm-up'));
    assert.deepEqual(admin.results[0], { data: { items: { name: 'warm-up', classified: { code: 'X-1' } } } });
  });
});

describe('operation limits on subscriptions', () => {
  test('the cost limit refuses an over-budget subscription on WS and SSE (estimated at subscribe)', async () => {
    const query = 'subscription { items { a: tags(limit: 100) b: tags(limit: 100) } }';
    const overWs = connect().subscribe(query);
    await overWs.ended();
    const overSse = await rawSse(running.url, query);
    await overSse.finished();
    const refusal = {
      message: 'Operation too complex: its estimated cost is 201, over the limit of 200 (maxCost); list fields count once per item they may return, so ask for fewer items or fewer aliases.',
      extensions: { code: 'OPERATION_TOO_COMPLEX', limit: 'maxCost', max: 200 },
    };
    assert.deepEqual(overWs.results, [{ errors: [refusal] }]);
    assert.deepEqual(overSse.events, [{ event: 'next', data: { errors: [refusal] } }, { event: 'complete', data: undefined }]);
  });
});

describe('the list-item budget on subscriptions', () => {
  test('each event gets a fresh budget: 3 items per event under a budget of 4, event after event (WS and SSE)', async () => {
    const query = 'subscription { items { name tags(limit: 3) } }';
    const overWs = connect().subscribe(query);
    const overSse = sse(query);
    await primed(overWs, async () => running.publish('warm-up'));
    await primed(overSse, async () => running.publish('warm-up'));
    const seen = [overWs.results.length, overSse.results.length];
    running.publish('again');
    running.publish('and again');
    await overWs.waitFor(seen[0]! + 2);
    await overSse.waitFor(seen[1]! + 2);
    const tags = ['t0', 't1', 't2'];
    for (const stream of [overWs, overSse]) {
      // Every event, warm-ups included, resolved its whole list: 3 items each, 3 or more events.
      assert.ok(stream.results.length >= 3);
      assert.deepEqual(stream.results, stream.results.map((result) => ({ data: { items: { name: (result.data?.items as { name: string }).name, tags } } })));
      assert.deepEqual(stream.results.slice(-2).map((result) => (result.data?.items as { name: string }).name), ['again', 'and again']);
    }
  });
});

describe('connection credentials on the library path', () => {
  test('keys that cannot be loaded close the socket with 4503, an anonymous connection still works', async () => {
    const dead: KeyServer = await startKeyServer({});
    dead.fail('/jwks', { kind: 'status', status: 500 });
    const own = await startOwnServer([{ issuer: dead.origin, audience: ['api'], jwksUri: dead.url('/jwks') }]);
    try {
      const token = await issuer.mint({ iss: dead.origin, aud: 'api' });
      const refused = connect(token, own.url);
      assert.deepEqual(await refused.closed(), { code: 4503, reason: 'Authentication unavailable' });
      const anonymous = connect(undefined, own.url);
      await anonymous.connected();
    } finally {
      await own.close();
      await dead.close();
    }
  });

  test('a cookie is used only from an Origin in corsOrigins (cross-site WebSocket hijacking): else 4403', async () => {
    const own = await startOwnServer([{ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri }], { cookieName: 'session', corsOrigins: ['https://app.example.com'] });
    try {
      const cookie = `session=${await issuer.mint({ roles: ['admin'] })}`;
      for (const headers of [{ cookie }, { cookie, origin: 'https://evil.example' }, { cookie, origin: 'null' }]) {
        const refused = connectWs(own.url, { headers });
        sockets.push(refused);
        assert.deepEqual(await refused.closed(), { code: 4403, reason: 'Forbidden' }, JSON.stringify(headers));
      }
      const allowed = connectWs(own.url, { headers: { cookie, origin: 'https://app.example.com' } });
      sockets.push(allowed);
      const secret = allowed.subscribe(SECRET);
      await primed(secret, async () => own.publish('warm-up'));
      // A bad cookie token is a bad token: 4401.
      const bad = connectWs(own.url, { headers: { cookie: 'session=abc.def.ghi', origin: 'https://app.example.com' } });
      sockets.push(bad);
      assert.equal((await bad.closed()).code, 4401);
    } finally {
      await own.close();
    }
  });

  test('attachWebSockets refuses a plugin the Yoga does not run, and anything that is not a plugin', () => {
    const other = useClaimgate({ issuers: [{ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri }], logger: silentLogger });
    const yoga = createYoga({ schema: makeAuthSchema({ typeDefs: 'type Query { ok: Boolean }' }), plugins: [useClaimgate({ issuers: [{ issuer: issuer.issuer, audience: [TEST_AUDIENCE] }], logger: silentLogger })] });
    const server = createServer();
    assert.throws(() => attachWebSockets(server, yoga, other), /this Yoga does not run the given useClaimgate plugin/);
    assert.throws(() => attachWebSockets(server, yoga, {} as ClaimgatePlugin), /must be the useClaimgate plugin/);
    assert.equal(server.listenerCount('upgrade'), 0);
  });

  test('subscriptions options are checked eagerly, each error naming the option', () => {
    const issuers = [{ issuer: issuer.issuer, audience: [TEST_AUDIENCE] }];
    assert.throws(() => useClaimgate({ issuers, subscriptions: { maxPerConnection: 0 } }), /subscriptions\.maxPerConnection must be a whole number, 1 or more, not 0\./);
    assert.throws(() => useClaimgate({ issuers, subscriptions: { connectionInitTimeoutMs: 1.5 } }), /subscriptions\.connectionInitTimeoutMs must be a whole number of milliseconds, 1 or more, not 1\.5\./);
    assert.throws(() => useClaimgate({ issuers, subscriptions: { maxSubscriptions: 3 } as never }), /unknown option "subscriptions\.maxSubscriptions" \(known: maxPerConnection, connectionInitTimeoutMs\)/);
    assert.throws(() => useClaimgate({ issuers, subscriptions: 5 as never }), /subscriptions must be an object/);
  });

  test('the streams counters show what is open and why streams ended', async () => {
    const before = { ...running.claimgate.streams };
    const connection = connect(await issuer.mint({ roles: ['admin'] }));
    const stream = connection.subscribe(SECRET);
    await primed(stream, async () => running.publish('warm-up'));
    // One watch for the connection, one for its stream.
    assert.equal(running.claimgate.streams.open, before.open + 2);
    await connection.dispose();
    const deadline = Date.now() + 5_000;
    while (running.claimgate.streams.open !== before.open) {
      assert.ok(Date.now() < deadline, JSON.stringify(running.claimgate.streams));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
});
