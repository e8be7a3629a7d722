import {
  defaultFieldResolver,
  defaultTypeResolver,
  getNamedType,
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  isEnumType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { AuthMode } from '../config/load-config.ts';
import type { Principal } from '../principal.ts';
import { assertDirectivePlacement } from './assert-directive-placement.ts';
import { compileGuard, type Guard } from './compile-guard.ts';
import { NO_RULES, readRules, type ElementRules } from './read-requirements.ts';
import { authenticated, type Requirement } from './requirement.ts';
import { recordAuthPlan } from './auth-plan.ts';
import { reportDenial } from './denial-observer.ts';

export interface AuthTransformerOptions {
  /**
   * `default`: only annotated types and fields are protected.
   * `protect-all`: every field requires authentication unless it or its type
   * carries @public (default-deny). Default `default`.
   */
  readonly mode?: AuthMode;
}

/** Fields that stay public in default-deny mode: federation's service fields. */
const ALWAYS_PUBLIC_FIELDS = new Set(['Query._service', 'Query._entities']);
const ALWAYS_PUBLIC_TYPES = new Set(['_Service']);

interface ContextWithPrincipal {
  readonly principal?: Principal | null;
}

/**
 * Enforces claimgate's directives (@auth, @hasRole, @hasAnyRole, @hasScope,
 * @hasClaim, @public) and Apollo's (@authenticated, @requiresScopes) by
 * wrapping the resolvers of concrete object fields, so every path to a field
 * — alias, fragment, interface, union, list, federation entity — runs the
 * same check. Requirements are computed here, once; each field call runs a
 * precompiled guard that stays synchronous for synchronous resolvers.
 * Apply it last, after every other schema transform.
 *
 * @example const schema = authDirectiveTransformer(makeExecutableSchema({ typeDefs, resolvers }))
 */
export function authDirectiveTransformer(schema: GraphQLSchema, options: AuthTransformerOptions = {}): GraphQLSchema {
  const mode = options.mode ?? 'default';
  if (mode !== 'default' && mode !== 'protect-all') throw new TypeError(`mode must be "default" or "protect-all", not "${String(mode)}"`);
  assertDirectivePlacement(typeDefinitionNodes(schema));
  const plan = planSchema(schema, mode);

  const guarded = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const guard = plan.fieldGuards.get(`${typeName}.${fieldName}`);
      return guard === undefined ? fieldConfig : guardField(fieldConfig, guard, `${typeName}.${fieldName}`);
    },
    [MapperKind.OBJECT_TYPE]: (type) => guardReferenceResolver(type, plan.typeGuards.get(type.name)),
    [MapperKind.INTERFACE_TYPE]: (type) => guardTypeResolution(guardReferenceResolver(type, plan.typeGuards.get(type.name)), plan.typeGuards),
    [MapperKind.UNION_TYPE]: (type) => guardTypeResolution(type, plan.typeGuards),
  });
  recordAuthPlan(guarded, { ...plan, unguarded: schema });
  return guarded;
}

interface Plan {
  /** "Type.field" → guard, for every protected field of an object type. */
  readonly fieldGuards: Map<string, Guard>;
  /** Type name → guard of its type-level requirements (for federation reference resolvers). */
  readonly typeGuards: Map<string, Guard>;
}

function planSchema(schema: GraphQLSchema, mode: AuthMode): Plan {
  const typeRules = new Map<string, ElementRules>();
  const typeRulesOf = (type: GraphQLNamedType): ElementRules => {
    let rules = typeRules.get(type.name);
    if (rules === undefined) {
      const ours = isObjectType(type) || isInterfaceType(type);
      const apolloOnly = (isScalarType(type) && !isSpecifiedScalarType(type)) || isEnumType(type);
      rules = ours || apolloOnly ? readRules(schema, type, typeCoordinate(type), { ours }) : NO_RULES;
      typeRules.set(type.name, rules);
    }
    return rules;
  };
  const fieldRules = (type: GraphQLObjectType | GraphQLInterfaceType, fieldName: string): ElementRules =>
    readRules(schema, type.getFields()[fieldName]!, `field ${type.name}.${fieldName}`, { ours: true });

  const fieldGuards = new Map<string, Guard>();
  const typeGuards = new Map<string, Guard>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isInterfaceType(type)) {
      // Read (and so validate) interface rules even where no object implements them yet.
      typeRulesOf(type);
      for (const fieldName of Object.keys(type.getFields())) fieldRules(type, fieldName);
      const guard = typeGuard(type, [type], mode, typeRulesOf);
      if (guard !== undefined) typeGuards.set(type.name, guard);
      continue;
    }
    if (!isObjectType(type)) {
      typeRulesOf(type);
      continue;
    }
    const interfaces = type.getInterfaces();
    const owners = [type, ...interfaces];
    const guard = typeGuard(type, owners, mode, typeRulesOf);
    if (guard !== undefined) typeGuards.set(type.name, guard);

    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const requirements: Requirement[] = [];
      let isPublic = false;
      for (const owner of owners) {
        // An interface's type-level rules reach every field of its implementations;
        // its field rules reach the same field.
        const ownerType = typeRulesOf(owner);
        const ownerField = fieldName in owner.getFields() ? fieldRules(owner, fieldName) : NO_RULES;
        requirements.push(...ownerType.requirements, ...ownerField.requirements);
        isPublic ||= ownerType.isPublic || ownerField.isPublic;
      }
      // A type the caller may not see is guarded where it is returned too, so
      // that __typename, list lengths and existence reveal nothing: an object
      // type's requirements (its interfaces' included), an interface's own,
      // and Apollo's directives on scalars and enums. The concrete type behind
      // an interface or union is checked when it is resolved (guardTypeResolution).
      const returned = getNamedType(field.type);
      if (isObjectType(returned)) {
        requirements.push(...typeRequirements(returned, [returned, ...returned.getInterfaces()], mode, typeRulesOf));
      } else if (isInterfaceType(returned)) {
        requirements.push(...typeRulesOf(returned).requirements, ...apolloRequirements(schema, returned));
      } else {
        requirements.push(...typeRulesOf(returned).requirements);
      }
      const coordinate = `${type.name}.${fieldName}`;
      if (mode === 'protect-all' && !isPublic && !ALWAYS_PUBLIC_FIELDS.has(coordinate) && !ALWAYS_PUBLIC_TYPES.has(type.name)) {
        requirements.push(authenticated);
      }
      if (requirements.length > 0) fieldGuards.set(coordinate, compileGuard(requirements));
    }
  }
  return { fieldGuards, typeGuards };
}

/** The type-level requirements of an object or interface (and of its interfaces), with default-deny applied. */
function typeGuard(
  type: GraphQLObjectType | GraphQLInterfaceType,
  owners: readonly (GraphQLObjectType | GraphQLInterfaceType)[],
  mode: AuthMode,
  typeRulesOf: (type: GraphQLNamedType) => ElementRules,
): Guard | undefined {
  const requirements = typeRequirements(type, owners, mode, typeRulesOf);
  return requirements.length > 0 ? compileGuard(requirements) : undefined;
}

/** What it takes to see an object or interface at all: its (and its interfaces') type-level rules, default-deny applied. */
function typeRequirements(
  type: GraphQLObjectType | GraphQLInterfaceType,
  owners: readonly (GraphQLObjectType | GraphQLInterfaceType)[],
  mode: AuthMode,
  typeRulesOf: (type: GraphQLNamedType) => ElementRules,
): Requirement[] {
  const requirements = owners.flatMap((owner) => typeRulesOf(owner).requirements);
  const isPublic = owners.some((owner) => typeRulesOf(owner).isPublic);
  if (mode === 'protect-all' && !isPublic && !ALWAYS_PUBLIC_TYPES.has(type.name)) requirements.push(authenticated);
  return requirements;
}

/** Only Apollo's directives on an object or interface reach the fields that return it. */
function apolloRequirements(schema: GraphQLSchema, type: GraphQLObjectType | GraphQLInterfaceType): readonly Requirement[] {
  return readRules(schema, type, typeCoordinate(type), { ours: false }).requirements;
}

function guardField<TSource, TArgs>(
  fieldConfig: GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs>,
  guard: Guard,
  coordinate: string,
): GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs> {
  const resolve = fieldConfig.resolve ?? (defaultFieldResolver as GraphQLFieldResolver<TSource, ContextWithPrincipal, TArgs>);
  // The denial is reported (metrics, span event) off the allow path.
  const denied = (denial: GraphQLError, schema: GraphQLSchema): GraphQLError => {
    reportDenial(schema, coordinate, denial);
    return denial;
  };
  const guarded: GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs> = {
    ...fieldConfig,
    // Returning (not throwing) the prebuilt error: graphql-js treats a returned
    // Error as the field's error, and the happy path stays a plain sync call.
    resolve: (source, args, context, info) => {
      const denial = guard(context.principal);
      return denial === undefined ? resolve(source, args, context, info) : denied(denial, info.schema);
    },
  };
  const subscribe = fieldConfig.subscribe;
  if (subscribe !== undefined) {
    guarded.subscribe = (source, args, context, info) => {
      const denial = guard(context.principal);
      return denial === undefined ? subscribe(source, args, context, info) : denied(denial, info.schema);
    };
  }
  return guarded;
}

type TypeResolver = GraphQLTypeResolver<unknown, ContextWithPrincipal>;

/**
 * An interface or union: once the concrete type of a value is known, a
 * caller who may not see that type gets the type's denial at the field's
 * path (the value becomes null), so `__typename` tells nothing either.
 */
function guardTypeResolution<T extends GraphQLInterfaceType | GraphQLUnionType>(type: T, typeGuards: ReadonlyMap<string, Guard>): T {
  const possible = [...typeGuards.keys()];
  if (possible.length === 0) return type;
  const config = type.toConfig();
  const resolveType = (config.resolveType ?? defaultTypeResolver) as TypeResolver;
  const check = (name: string | undefined, context: ContextWithPrincipal, schema: GraphQLSchema): string | undefined => {
    const guard = name === undefined ? undefined : typeGuards.get(name);
    const denial = guard?.(context.principal);
    if (denial !== undefined) {
      reportDenial(schema, name!, denial);
      throw denial;
    }
    return name;
  };
  const guarded: TypeResolver = (value, context, info, abstractType) => {
    const name = resolveType(value, context, info, abstractType);
    return name instanceof Promise ? name.then((resolved) => check(resolved, context, info.schema)) : check(name, context, info.schema);
  };
  return (isInterfaceType(type)
    ? new GraphQLInterfaceType({ ...(config as ReturnType<GraphQLInterfaceType['toConfig']>), resolveType: guarded })
    : new GraphQLUnionType({ ...(config as ReturnType<GraphQLUnionType['toConfig']>), resolveType: guarded })) as T;
}

type ReferenceResolver = (reference: unknown, context: ContextWithPrincipal, info: { readonly schema: GraphQLSchema }) => unknown;

/**
 * Federation: `_entities` calls a type's `__resolveReference`. A caller who
 * may not see the type never reaches the original resolver; the entry
 * becomes null with the denial at its `_entities` path.
 */
function guardReferenceResolver<T extends GraphQLObjectType | GraphQLInterfaceType>(type: T, guard: Guard | undefined): T {
  const extensions = type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } };
  const subgraph = extensions.apollo?.subgraph;
  if (guard === undefined || subgraph === undefined) return type;
  const original = subgraph.resolveReference;
  const resolveReference: ReferenceResolver = (reference, context, info) => {
    const denial = guard(context.principal);
    // A fresh error each time: @apollo/subgraph tags each entry's result with __typename.
    if (denial !== undefined) {
      reportDenial(info.schema, type.name, denial);
      return new GraphQLError(denial.message, { extensions: denial.extensions });
    }
    return original === undefined ? reference : original(reference, context, info);
  };
  const config = type.toConfig();
  const newExtensions = { ...config.extensions, apollo: { ...extensions.apollo, subgraph: { ...subgraph, resolveReference } } };
  return (isObjectType(type)
    ? new GraphQLObjectType({ ...(config as ReturnType<GraphQLObjectType['toConfig']>), extensions: newExtensions })
    : new GraphQLInterfaceType({ ...(config as ReturnType<GraphQLInterfaceType['toConfig']>), extensions: newExtensions })) as T;
}

function typeCoordinate(type: GraphQLNamedType): string {
  if (isObjectType(type)) return `type ${type.name}`;
  if (isInterfaceType(type)) return `interface ${type.name}`;
  if (isEnumType(type)) return `enum ${type.name}`;
  return `scalar ${type.name}`;
}

function typeDefinitionNodes(schema: GraphQLSchema) {
  const nodes = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.astNode) nodes.push(type.astNode);
    nodes.push(...type.extensionASTNodes);
  }
  return nodes;
}
