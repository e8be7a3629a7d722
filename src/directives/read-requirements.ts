import { buildSchema, coerceInputValue, getArgumentValues, type ASTNode, type ConstDirectiveNode, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { parseClaimPath } from '../principal/claim-path.ts';
import { AuthSchemaError } from './auth-schema-error.ts';
import { readExtensionDirectives } from './read-extension-directives.ts';
import * as requirement from './requirement.ts';
import type { Requirement } from './requirement.ts';
import { isPolicyName, policyRequirement, type PolicyRequirement } from './policy.ts';
import { APOLLO_DIRECTIVES, apolloAuthorizationTypeDefs, authDirectiveTypeDefs } from './type-defs.ts';

/** What the directives on one schema element ask for. */
export interface ElementRules {
  readonly requirements: readonly Requirement[];
  /** Carries @public. */
  readonly isPublic: boolean;
  /** Apollo's @policy usages: data-dependent, decided per object by registered functions. */
  readonly policies: readonly PolicyRequirement[];
}

export const NO_RULES: ElementRules = Object.freeze({ requirements: Object.freeze([]), isPublic: false, policies: Object.freeze([]) });

/** A type or field: what carries directives, in SDL (AST nodes) or in code (`extensions.directives`). */
interface DirectableNode {
  readonly astNode?: ASTNode | null | undefined;
  readonly extensionASTNodes?: readonly ASTNode[];
  readonly extensions?: unknown;
}

/**
 * claimgate's and Apollo's directive definitions, for code-first schemas
 * that use the directives in `extensions.directives` without defining them.
 */
let ownDefinitions: ReadonlyMap<string, GraphQLDirective> | undefined;
function ownDefinition(name: string): GraphQLDirective | undefined {
  ownDefinitions ??= new Map(buildSchema(`${authDirectiveTypeDefs}\n${apolloAuthorizationTypeDefs}`).getDirectives().map((d) => [d.name, d]));
  return ownDefinitions.get(name);
}

/**
 * Reads and checks the auth directives on one schema element (type or
 * field). Every misuse throws an AuthSchemaError naming `coordinate`.
 */
export function readRules(schema: GraphQLSchema, node: DirectableNode, coordinate: string, options: { ours: boolean }): ElementRules {
  const found: Requirement[] = [];
  const usages = directiveNodes(node);
  const inExtensions = readExtensionDirectives(node.extensions, coordinate);
  // Arguments are coerced with the schema's own definition of each directive,
  // one usage at a time, so an error names the directive that caused it.
  // Code-first schemas (graphql-js constructors, Pothos, graphql-tools'
  // convention) keep usages in `extensions.directives`; both are read, and
  // the extension's arguments are coerced exactly as SDL arguments are.
  const args = (name: string): Record<string, unknown>[] => {
    const inSdl = usages.filter((usage) => usage.name.value === name);
    const inCode = inExtensions.filter((usage) => usage.name === name).map((usage) => usage.args);
    if (inSdl.length === 0 && inCode.length === 0) return [];
    const definition = schema.getDirective(name) ?? ownDefinition(name);
    if (!definition) return [];
    const fromSdl = inSdl.map((usage) => {
      try {
        return getArgumentValues(definition, usage);
      } catch (error) {
        throw new AuthSchemaError(coordinate, name, `invalid arguments: ${(error as Error).message}`);
      }
    });
    return [...fromSdl, ...inCode.map((raw) => coerceExtensionArguments(definition, raw ?? {}, coordinate))];
  };

  for (const name of APOLLO_DIRECTIVES.authenticated) {
    if (args(name).length > 0) found.push(requirement.authenticated);
  }
  for (const name of APOLLO_DIRECTIVES.requiresScopes) {
    for (const { scopes } of args(name)) {
      const alternatives = scopes as string[][];
      if (alternatives.length === 0 || alternatives.some((all) => all.length === 0)) {
        throw new AuthSchemaError(coordinate, name, 'scopes must be a non-empty list of non-empty lists (outer list OR, inner list AND).');
      }
      alternatives.flat().forEach((scope) => checkScope(scope, coordinate, name));
      found.push(requirement.requiresScopes(alternatives));
    }
  }
  const policies: PolicyRequirement[] = [];
  for (const name of APOLLO_DIRECTIVES.policy) {
    for (const { policies: given } of args(name)) {
      const alternatives = given as string[][];
      if (alternatives.length === 0 || alternatives.some((all) => all.length === 0)) {
        throw new AuthSchemaError(coordinate, name, 'policies must be a non-empty list of non-empty lists (outer list OR, inner list AND).');
      }
      for (const policy of alternatives.flat()) {
        if (!isPolicyName(policy)) throw new AuthSchemaError(coordinate, name, `policy name ${JSON.stringify(policy)} is not valid (letters, digits and _ . : / @ - only).`);
      }
      policies.push(policyRequirement(alternatives));
    }
  }
  if (!options.ours) return rules(found, false, policies);

  if (args('auth').length > 0) found.push(requirement.authenticated);
  for (const { role } of args('hasRole')) found.push(requirement.hasRole(checkRole(role as string, coordinate, 'hasRole')));
  for (const { roles } of args('hasAnyRole')) {
    const list = roles as string[];
    if (list.length === 0) throw new AuthSchemaError(coordinate, 'hasAnyRole', 'roles must not be empty.');
    found.push(requirement.hasAnyRole(list.map((role) => checkRole(role, coordinate, 'hasAnyRole'))));
  }
  for (const { scope } of args('hasScope')) found.push(requirement.hasScope(checkScope(scope as string, coordinate, 'hasScope')));
  for (const { claim, value } of args('hasClaim')) {
    let path;
    try {
      path = parseClaimPath(claim as string);
    } catch (error) {
      throw new AuthSchemaError(coordinate, 'hasClaim', `claim ${(error as Error).message}.`);
    }
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
      throw new AuthSchemaError(coordinate, 'hasClaim', 'value must be a String, Boolean, Int or Float literal.');
    }
    found.push(requirement.hasClaim(path, value));
  }
  const isPublic = args('public').length > 0;
  if (isPublic && (found.length > 0 || policies.length > 0)) {
    throw new AuthSchemaError(coordinate, 'public', 'cannot be combined with a requirement on the same element; remove one of them.');
  }
  return rules(found, isPublic, policies);
}

function coerceExtensionArguments(definition: GraphQLDirective, raw: unknown, coordinate: string): Record<string, unknown> {
  const fail = (problem: string) => new AuthSchemaError(coordinate, definition.name, `invalid arguments in extensions.directives: ${problem}`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail(`expected an object of arguments, got ${JSON.stringify(raw)}.`);
  const given = raw as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!definition.args.some((arg) => arg.name === key)) throw fail(`unknown argument "${key}".`);
  }
  const values: Record<string, unknown> = {};
  for (const arg of definition.args) {
    const value = given[arg.name] === undefined ? arg.defaultValue : given[arg.name];
    if (value === undefined) {
      if (arg.type.toString().endsWith('!')) throw fail(`argument "${arg.name}" of type "${arg.type.toString()}" is required.`);
      continue;
    }
    values[arg.name] = coerceInputValue(value, arg.type, (_path, invalid, error) => {
      throw fail(`argument "${arg.name}": ${error.message} (got ${JSON.stringify(invalid)}).`);
    });
  }
  return values;
}

function directiveNodes(node: DirectableNode): ConstDirectiveNode[] {
  const nodes = [node.astNode, ...(node.extensionASTNodes ?? [])];
  return nodes.flatMap((ast) => (ast && 'directives' in ast ? [...((ast.directives ?? []) as readonly ConstDirectiveNode[])] : []));
}

function rules(requirements: Requirement[], isPublic: boolean, policies: PolicyRequirement[]): ElementRules {
  if (requirements.length === 0 && !isPublic && policies.length === 0) return NO_RULES;
  return Object.freeze({ requirements: Object.freeze(requirements), isPublic, policies: Object.freeze(policies) });
}

function checkRole(role: string, coordinate: string, directive: string): string {
  if (role === '') throw new AuthSchemaError(coordinate, directive, 'a role must not be empty.');
  if (role.trim() !== role) throw new AuthSchemaError(coordinate, directive, `role "${role}" has leading or trailing white space.`);
  return role;
}

function checkScope(scope: string, coordinate: string, directive: string): string {
  if (scope === '' || /\s/.test(scope)) {
    throw new AuthSchemaError(coordinate, directive, `scope "${scope}" must be non-empty and contain no white space.`);
  }
  return scope;
}
