import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { createExampleSchema } from '../../src/example/create-example-schema.ts';
import { silentLogger } from '../../src/telemetry/log.ts';
import { useClaimgate } from '../../src/plugin/use-claimgate.ts';
import { startTestIssuer, TEST_AUDIENCE } from '../support/test-issuer.ts';
import { startTestApi } from '../support/test-api.ts';
import { parsePrometheusText } from '../support/prometheus-text.ts';

const ISSUER = { issuer: 'https://id.example.com', audience: ['api'], jwksUri: 'https://id.example.com/jwks' };

test('the app: /metrics on the API port, or only on METRICS_PORT, or nowhere with METRICS=off', async () => {
  const issuer = await startTestIssuer();
  try {
    const onApi = await startTestApi(issuer.env());
    try {
      const response = await fetch(`${onApi.origin}/metrics`);
      assert.equal(response.status, 200);
      assert.ok(parsePrometheusText(await response.text()).types.has('claimgate_token_verifications_total'));
      const post = await fetch(`${onApi.origin}/metrics`, { method: 'POST', body: '' });
      assert.deepEqual([post.status, post.headers.get('allow'), await post.text()], [405, 'GET, HEAD', 'Method Not Allowed\n']);
    } finally {
      await onApi.close();
    }

    const separate = await startTestApi(issuer.env({ METRICS_PORT: '0' }));
    try {
      assert.notEqual(separate.server.metricsOrigin, separate.origin);
      assert.equal((await fetch(`${separate.origin}/metrics`)).status, 404, 'not on the API port');
      const response = await fetch(`${separate.server.metricsOrigin}/metrics`);
      assert.equal(response.status, 200);
      assert.ok(parsePrometheusText(await response.text()).types.has('claimgate_jwks_ready'));
      assert.equal((await fetch(`${separate.server.metricsOrigin}/graphql`)).status, 404, 'nothing else on the metrics port');
    } finally {
      await separate.close();
    }

    const off = await startTestApi(issuer.env({ METRICS: 'off' }));
    try {
      assert.equal(off.server.metricsOrigin, undefined);
      assert.equal((await fetch(`${off.origin}/metrics`)).status, 404);
    } finally {
      await off.close();
    }
  } finally {
    await issuer.close();
  }
});

test('the library: a registry per plugin by default, yours on request, none when off; a shared registry is refused clearly', async () => {
  const plugin = useClaimgate({ issuers: [ISSUER], logger: silentLogger });
  assert.ok(plugin.metrics?.registry instanceof Registry);
  assert.notEqual(useClaimgate({ issuers: [ISSUER], logger: silentLogger }).metrics?.registry, plugin.metrics.registry);
  assert.equal(useClaimgate({ issuers: [ISSUER], logger: silentLogger, metrics: false }).metrics, undefined);
  const mine = new Registry();
  assert.equal(useClaimgate({ issuers: [ISSUER], logger: silentLogger, metrics: { registry: mine } }).metrics?.registry, mine);
  assert.throws(() => useClaimgate({ issuers: [ISSUER], logger: silentLogger, metrics: { registry: mine } }), {
    name: 'TypeError',
    message: 'useClaimgate: the metrics registry already holds claimgate_token_verifications_total; give each claimgate plugin its own registry (merge them with Registry.merge to expose them together).',
  });
  assert.throws(() => useClaimgate({ issuers: [ISSUER], logger: silentLogger, metrics: 'yes' as never }), {
    name: 'TypeError',
    message: 'useClaimgate: metrics must be true, false or { registry }, not "yes".',
  });
  assert.throws(() => useClaimgate({ issuers: [ISSUER], logger: silentLogger, metrics: { registry: {} as never } }), {
    name: 'TypeError',
    message: 'useClaimgate: metrics.registry must be a prom-client Registry.',
  });
});

test('the library path records into plugin.metrics.registry: a user mounts it on their own server', async () => {
  const issuer = await startTestIssuer();
  const plugin = useClaimgate({ issuers: [{ issuer: issuer.issuer, audience: [TEST_AUDIENCE], jwksUri: issuer.jwksUri }], logger: silentLogger });
  const yoga = createYoga({ schema: createExampleSchema(), plugins: [plugin] });
  try {
    await plugin.verifier.start();
    const token = await issuer.mint({ roles: ['reader'] });
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ adminReport }' }),
    });
    assert.equal(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'FORBIDDEN');
    const samples = parsePrometheusText(await plugin.metrics!.registry.metrics()).samples;
    assert.equal(samples.get('claimgate_token_verifications_total{cache="miss",outcome="accepted",reason="none"}'), 1);
    assert.equal(samples.get('claimgate_authorization_denials_total{code="FORBIDDEN",coordinate="Query.adminReport",mode="enforced"}'), 1);
    assert.equal(samples.get(`claimgate_jwks_ready{issuer="${issuer.issuer}"}`), 1);
  } finally {
    await yoga.dispose();
    await issuer.close();
  }
});

test('the hooks for subscriptions and audit mode count into their own series', async () => {
  const metrics = useClaimgate({ issuers: [ISSUER], logger: silentLogger }).metrics!;
  metrics.subscriptionOpened();
  metrics.subscriptionOpened();
  metrics.subscriptionEnded('expired');
  metrics.authorizationDecision('Query.adminReport', 'FORBIDDEN', { audit: true });
  const samples = parsePrometheusText(await metrics.registry.metrics()).samples;
  assert.deepEqual(
    Object.fromEntries([...samples].filter(([key]) => key.startsWith('claimgate_subscriptions') || key.startsWith('claimgate_authorization'))),
    {
      claimgate_subscriptions_open: 1,
      'claimgate_subscriptions_ended_total{reason="completed"}': 0,
      'claimgate_subscriptions_ended_total{reason="expired"}': 1,
      'claimgate_subscriptions_ended_total{reason="key_retired"}': 0,
      'claimgate_subscriptions_ended_total{reason="shutdown"}': 0,
      'claimgate_subscriptions_ended_total{reason="error"}': 0,
      'claimgate_authorization_denials_total{code="FORBIDDEN",coordinate="Query.adminReport",mode="audit"}': 1,
    },
  );
});
