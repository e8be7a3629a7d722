import { AuthSchemaError } from './auth-schema-error.ts';

/** One directive usage found in `extensions.directives`: its name and its raw arguments. */
export interface ExtensionDirective {
  readonly name: string;
  readonly args: unknown;
}

/**
 * Reads `extensions.directives` of a schema element in the two shapes tools
 * write: graphql-tools' `{ name: args | args[] }` and Pothos' ordered list
 * `[{ name, args }]`. Anything else throws an AuthSchemaError naming
 * `coordinate`: a usage claimgate cannot read must stop start-up, never be
 * skipped (graphql-tools' own reader silently finds nothing in a list).
 */
export function readExtensionDirectives(extensions: unknown, coordinate: string): readonly ExtensionDirective[] {
  const directives = (extensions as { directives?: unknown } | null | undefined)?.directives;
  if (directives === undefined || directives === null) return [];
  const unreadable = (what: string) =>
    new AuthSchemaError(coordinate, 'directives', `extensions.directives cannot be read: ${what}; use { name: args } or [{ name, args }].`);
  if (Array.isArray(directives)) {
    return directives.map((entry: unknown) => {
      const { name, args } = (entry ?? {}) as { name?: unknown; args?: unknown };
      if (typeof entry !== 'object' || entry === null || typeof name !== 'string' || name === '') {
        throw unreadable(`an entry is ${JSON.stringify(entry) ?? String(entry)}, not { name, args }`);
      }
      return { name, args: args ?? {} };
    });
  }
  if (typeof directives !== 'object') throw unreadable(`it is a ${typeof directives}`);
  return Object.entries(directives).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((args: unknown) => ({ name, args: args ?? {} })),
  );
}
