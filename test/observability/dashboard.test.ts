import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { silentLogger } from '../../src/telemetry/log.ts';
import { useClaimgate } from '../../src/plugin/use-claimgate.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Every metric claimgate registers, with its label names. */
function registered(): Map<string, Set<string>> {
  const metrics = useClaimgate({ issuers: [{ issuer: 'https://id.example.com', audience: ['api'], jwksUri: 'https://id.example.com/jwks' }], logger: silentLogger }).metrics!;
  const names = new Map<string, Set<string>>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, labelNames = [] } = metric as unknown as { name: string; labelNames?: string[] };
    // job and instance come from Prometheus' scrape, le from histograms.
    names.set(name, new Set(['job', 'instance', 'le', ...labelNames]));
  }
  return names;
}

/** The claimgate series and the label names an expression uses. */
function references(expr: string): { metrics: string[]; labels: string[] } {
  const metrics = [...expr.matchAll(/\bclaimgate_[a-z_]+/g)].map((match) => match[0]);
  const labels = [
    ...[...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((match) => match[1]!.split(',').map((label) => label.trim())),
    ...[...expr.matchAll(/[{,]\s*([a-z_]+)\s*(?:=~|!=|=)/g)].map((match) => match[1]!),
  ];
  return { metrics, labels };
}

test('the Grafana dashboard and the alert rules use only metrics and labels claimgate exports', async () => {
  const known = registered();
  const dashboard = JSON.parse(read('observability/grafana-dashboard.json')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const expressions = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: panel.title, expr: target.expr })));
  const alerts = read('observability/alerts.yml');
  for (const match of alerts.matchAll(/expr: (\|\n((?: {10}.*\n)+)|.*)/g)) expressions.push({ where: 'alerts.yml', expr: match[2] ?? match[1]! });
  assert.ok(expressions.length >= 20);
  const used = new Set<string>();
  for (const { where, expr } of expressions) {
    const { metrics, labels } = references(expr);
    assert.ok(metrics.length > 0, `${where}: ${expr}`);
    for (const metric of metrics) {
      const base = metric.replace(/_(bucket|sum|count)$/, '');
      const labelsOf = known.get(metric) ?? known.get(base);
      assert.ok(labelsOf !== undefined, `${where}: unknown metric ${metric}`);
      used.add(labelsOf === known.get(metric) ? metric : base);
      for (const label of labels) assert.ok(labelsOf.has(label), `${where}: ${metric} has no label ${label}`);
    }
  }
  // The three views the issue asks for.
  const titles = dashboard.panels.map((panel) => panel.title);
  for (const title of ['Token failure rate by reason', 'Seconds since the last successful key refresh', 'Denials by field (top 15)']) assert.ok(titles.includes(title), title);
  assert.deepEqual([...known.keys()].filter((name) => !used.has(name)), [], 'every metric is on the dashboard');
});
