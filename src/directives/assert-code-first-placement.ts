import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isUnionType,
  type ASTNode,
  type GraphQLSchema,
} from 'graphql';
import { AuthSchemaError } from './auth-schema-error.ts';
import { readExtensionDirectives } from './read-extension-directives.ts';
import { APOLLO_DIRECTIVES, CLAIMGATE_DIRECTIVES } from './type-defs.ts';

const OURS = new Set(CLAIMGATE_DIRECTIVES);
const APOLLO = new Set([...APOLLO_DIRECTIVES.authenticated, ...APOLLO_DIRECTIVES.requiresScopes, ...APOLLO_DIRECTIVES.policy]);
const KNOWN = [...CLAIMGATE_DIRECTIVES, 'authenticated', 'requiresScopes'];

interface Element {
  readonly astNode?: ASTNode | null | undefined;
  readonly extensionASTNodes?: readonly ASTNode[];
  readonly extensions?: unknown;
}

/**
 * The code-first half of assertDirectivePlacement: throws an AuthSchemaError
 * when `extensions.directives` (graphql-js constructors, Pothos, graphql-tools)
 * puts claimgate's directives where they cannot be enforced — an input type or
 * input field, an argument, an enum or enum value, a union, a scalar or the
 * schema — or Apollo's where Apollo does not allow them; when it cannot be
 * read; or when a directive name, in code or in SDL, is a near miss of one of
 * ours (`hasrole`, `hasRoles`), which would otherwise protect nothing.
 *
 * @example assertCodeFirstPlacement(builder.toSchema())
 */
export function assertCodeFirstPlacement(schema: GraphQLSchema): void {
  check(schema, 'the schema', 'nothing');
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      check(type, `${isObjectType(type) ? 'type' : 'interface'} ${type.name}`, 'all');
      for (const field of Object.values(type.getFields())) {
        check(field, `field ${type.name}.${field.name}`, 'all');
        for (const arg of field.args) check(arg, `argument ${type.name}.${field.name}(${arg.name}:)`, 'nothing');
      }
    } else if (isInputObjectType(type)) {
      check(type, `input type ${type.name}`, 'nothing');
      for (const field of Object.values(type.getFields())) check(field, `input field ${type.name}.${field.name}`, 'nothing');
    } else if (isEnumType(type)) {
      check(type, `enum ${type.name}`, 'apollo');
      for (const value of type.getValues()) check(value, `enum value ${type.name}.${value.name}`, 'nothing');
    } else if (isUnionType(type)) {
      check(type, `union ${type.name}`, 'nothing');
    } else if (isScalarType(type)) {
      check(type, `scalar ${type.name}`, 'apollo');
    }
  }
}

/** `allowed`: which of the auth directives may stand on this element. */
function check(element: Element, where: string, allowed: 'all' | 'apollo' | 'nothing'): void {
  const inCode = readExtensionDirectives(element.extensions, where).map((usage) => usage.name);
  for (const name of [...inCode, ...sdlNames(element)]) {
    const intended = nearMiss(name);
    if (intended !== undefined) {
      throw new AuthSchemaError(
        where,
        name,
        `unknown directive; did you mean @${intended}? claimgate refuses names this close to its own, which would protect nothing.`,
      );
    }
  }
  for (const name of inCode) {
    const ours = OURS.has(name);
    if (!ours && !APOLLO.has(name)) continue;
    if (allowed === 'all' || (allowed === 'apollo' && !ours)) continue;
    throw new AuthSchemaError(
      where,
      name,
      ours
        ? 'cannot be used here; put it on an object type, an interface, or a field of one.'
        : 'cannot be used here; put it on an object type, an interface, a field, a scalar or an enum.',
    );
  }
}

function sdlNames(element: Element): string[] {
  return [element.astNode, ...(element.extensionASTNodes ?? [])].flatMap((node) =>
    node && 'directives' in node ? ((node.directives ?? []) as readonly { name: { value: string } }[]).map((d) => d.name.value) : [],
  );
}

/** The directive a name was probably meant to be, if it is a near miss of one of ours (not an exact name). */
export function nearMiss(name: string): string | undefined {
  if (OURS.has(name) || APOLLO.has(name)) return undefined;
  const folded = name.toLowerCase().replace(/[_-]/g, '');
  return KNOWN.find((known) => {
    const target = known.toLowerCase();
    // Short names only by case or separators: `@auth0` or `@pub` are someone else's.
    return folded === target || (target.length >= 6 && editDistance(folded, target) <= 1);
  });
}

/** Optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
