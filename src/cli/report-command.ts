import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { DefinitionNode, GraphQLSchema } from 'graphql';
import type { AuthMode, ProtectionReport } from '../index.ts';
import { REPORT_USAGE } from './report-usage.ts';

/** Runs `claimgate report`; returns the exit code (0, 1 for unprotected fields with --fail-on-unprotected, 2 for bad input). */
export async function reportCommand(argv: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: 'boolean' }, 'fail-on-unprotected': { type: 'boolean' }, mode: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    err(`claimgate report: ${(error as Error).message}\n${REPORT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(REPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`claimgate report: expected one schema file, got ${positionals.length}.\n${REPORT_USAGE}`);
    return 2;
  }
  const mode = values.mode ?? 'default';
  if (mode !== 'default' && mode !== 'protect-all') {
    err(`claimgate report: --mode must be "default" or "protect-all", not "${mode}".\n`);
    return 2;
  }
  let report: ProtectionReport;
  try {
    // Loaded once the arguments are known good: usage errors answer at once.
    const { protectionReport } = await import('../index.ts');
    report = protectionReport(await loadSchema(positionals[0]!), { mode: mode as AuthMode });
  } catch (error) {
    err(`claimgate report: ${(error as Error).message}\n`);
    return 2;
  }
  out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return values['fail-on-unprotected'] && report.unprotected.length > 0 ? 1 : 0;
}

/** A schema from SDL or from a module, read as the server would read it. */
export async function loadSchema(file: string): Promise<GraphQLSchema> {
  const { isSchema } = await import('graphql');
  const path = resolve(file);
  if (/\.(graphql|gql|graphqls)$/i.test(path)) {
    let sdl;
    try {
      sdl = await readFile(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
    return schemaFromSdl(sdl);
  }
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load ${file}: ${(error as Error).message}`);
  }
  let schema = loaded.default ?? loaded.schema;
  if (typeof schema === 'function') schema = await (schema as () => unknown)();
  if (!isSchema(schema)) throw new Error(`${file} must export a GraphQLSchema as default or \`schema\` (or a function returning one).`);
  return schema;
}

async function schemaFromSdl(sdl: string): Promise<GraphQLSchema> {
  const { buildASTSchema, Kind, parse } = await import('graphql');
  const { apolloAuthorizationTypeDefs, authDirectiveTypeDefs } = await import('../index.ts');
  const document = parse(sdl);
  const federated = /specs\.apollo\.dev\/federation\//.test(sdl);
  // Definitions of claimgate's (and, outside federation, Apollo's) directives the file uses without defining.
  const defined = new Set(document.definitions.filter(hasName).map((definition) => definition.name.value));
  const ours = [...parse(authDirectiveTypeDefs).definitions, ...(federated ? [] : parse(apolloAuthorizationTypeDefs).definitions)];
  const definitions = [...ours.filter((definition) => hasName(definition) && !defined.has(definition.name.value)), ...document.definitions];
  const typeDefs = { kind: Kind.DOCUMENT, definitions } as const;
  if (!federated) return buildASTSchema(typeDefs);
  let subgraph: typeof import('@apollo/subgraph');
  try {
    subgraph = await import('@apollo/subgraph');
  } catch {
    throw new Error('this SDL is a federation subgraph: install @apollo/subgraph to report on it, or pass a module exporting the built schema.');
  }
  return subgraph.buildSubgraphSchema({ typeDefs });
}

function hasName(definition: DefinitionNode): definition is DefinitionNode & { name: { value: string } } {
  return 'name' in definition && definition.name !== undefined;
}

/** The report as an aligned table, unprotected fields counted at the end. */
export function formatReport(report: ProtectionReport): string {
  const rows = report.fields.map((field) => [
    field.coordinate,
    field.status === 'unprotected' ? 'UNPROTECTED' : field.status,
    field.status === 'public'
      ? `@public (${field.publicFrom})`
      : field.protectedBy.map((source) => `${source.kind} ${source.from}: ${source.requires.join('; ')}`).join(' | '),
  ]);
  const header = ['FIELD', 'STATUS', 'PROTECTED BY'];
  const widths = [0, 1].map((i) => Math.max(header[i]!.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`.trimEnd();
  const summary = `${report.fields.length} fields (mode ${report.mode}): ${report.unprotected.length} unprotected.`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${summary}\n`;
}
