/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: every line must be a HELP, a TYPE or a sample of a declared family,
 * label values must be properly quoted and escaped, no series may repeat,
 * and histograms must be complete (cumulative buckets ending in +Inf that
 * equal _count). Throws on anything else, naming the line.
 */
export interface Exposition {
  /** Family name → type. */
  readonly types: ReadonlyMap<string, string>;
  /** `name{a="x",b="y"}` (labels sorted) → value. */
  readonly samples: ReadonlyMap<string, number>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples = new Map<string, number>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (match === null) throw new Error(`bad comment, ${where}`);
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name, ${where}`);
      if (kind === 'HELP') {
        if (helps.has(name)) throw new Error(`second HELP, ${where}`);
        helps.add(name);
      } else {
        if (types.has(name)) throw new Error(`second TYPE, ${where}`);
        if (!TYPES.has(rest)) throw new Error(`unknown type, ${where}`);
        types.set(name, rest);
      }
      return;
    }
    const { name, labels, value } = parseSample(line, where);
    const family = familyOf(name, types);
    if (family === undefined) throw new Error(`sample of an undeclared family, ${where}`);
    const key = seriesKey(name, labels);
    if (samples.has(key)) throw new Error(`duplicate series, ${where}`);
    samples.set(key, value);
  });
  checkHistograms(types, samples);
  return { types, samples };
}

/** The canonical key of a series: labels sorted by name. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

function parseSample(line: string, where: string): { name: string; labels: Record<string, string>; value: number } {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) throw new Error(`bad sample name, ${where}`);
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (labelMatch === null || !LABEL_NAME.test(labelMatch[0])) throw new Error(`bad label name, ${where}`);
      i += labelMatch[0].length;
      if (line.slice(i, i + 2) !== '="') throw new Error(`expected =", ${where}`);
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error(`unterminated label value, ${where}`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape, ${where}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      if (labelMatch[0] in labels) throw new Error(`repeated label, ${where}`);
      labels[labelMatch[0]] = value;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or }, ${where}`);
    }
    i++;
  }
  const rest = line.slice(i);
  const valueMatch = /^ (\S+)(?: -?\d+)?$/.exec(rest);
  if (valueMatch === null) throw new Error(`bad value, ${where}`);
  const text = valueMatch[1]!;
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : text === 'NaN' ? NaN : Number(text);
  if (Number.isNaN(value) && text !== 'NaN') throw new Error(`bad number, ${where}`);
  if (!/^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\+Inf|-Inf|NaN)$/.test(text)) throw new Error(`bad number, ${where}`);
  return { name, labels, value };
}

function familyOf(sample: string, types: ReadonlyMap<string, string>): string | undefined {
  if (types.has(sample)) return sample;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sample.endsWith(suffix)) continue;
    const family = sample.slice(0, -suffix.length);
    const type = types.get(family);
    if (type === 'histogram' || (type === 'summary' && suffix !== '_bucket')) return family;
  }
  return undefined;
}

function checkHistograms(types: ReadonlyMap<string, string>, samples: ReadonlyMap<string, number>): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, { le: number; value: number }[]>();
    for (const [key, value] of samples) {
      if (!key.startsWith(`${family}_bucket{`)) continue;
      const le = /le="([^"]*)"/.exec(key)![1]!;
      const rest = key.replace(/,?le="[^"]*"/, '').replace(`${family}_bucket`, '').replace('{,', '{');
      const list = groups.get(rest) ?? [];
      list.push({ le: le === '+Inf' ? Infinity : Number(le), value });
      groups.set(rest, list);
    }
    for (const [rest, buckets] of groups) {
      buckets.sort((a, b) => a.le - b.le);
      if (buckets.at(-1)?.le !== Infinity) throw new Error(`${family}${rest} has no +Inf bucket`);
      buckets.reduce((previous, bucket) => {
        if (bucket.value < previous) throw new Error(`${family}${rest} buckets are not cumulative`);
        return bucket.value;
      }, 0);
      const count = samples.get(`${family}_count${rest === '{}' ? '' : rest}`);
      if (count !== buckets.at(-1)!.value) throw new Error(`${family}${rest}: _count ${count} differs from the +Inf bucket`);
    }
  }
}
