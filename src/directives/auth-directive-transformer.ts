import {
  defaultFieldResolver,
  defaultTypeResolver,
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  isInterfaceType,
  isObjectType,
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  type GraphQLIsTypeOfFn,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type GraphQLTypeResolver,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Principal } from '../principal/principal.ts';
import { assertDirectivePlacement } from './assert-directive-placement.ts';
import { assertCodeFirstPlacement } from './assert-code-first-placement.ts';
import { compileGuard, denialError, type Guard } from './compile-guard.ts';
import { recordAuthPlan } from './auth-plan.ts';
import { authRuntimeOf, enforce } from './auth-runtime.ts';
import { planProtection } from './plan-protection.ts';
import { checkPolicyRegistry, evaluatePolicies, type PolicyRegistry, type PolicyRequirement } from './policy.ts';

/** `default`: only annotated types and fields are protected; `protect-all`: default-deny. */
export type AuthMode = 'default' | 'protect-all';

export interface AuthTransformerOptions {
  /**
   * `default`: only annotated types and fields are protected.
   * `protect-all`: every field requires authentication unless it or its type
   * carries @public (default-deny). Default `default`.
   */
  readonly mode?: AuthMode;
  /**
   * The functions `@policy` names, by name: `({ principal, parent, args, context, info }) => boolean | Promise<boolean>`.
   * Only `true` allows. Every name the schema uses must be registered. Default none.
   */
  readonly policies?: PolicyRegistry;
}

interface ContextWithPrincipal {
  readonly principal?: Principal | null;
}

/**
 * Enforces claimgate's directives (@auth, @hasRole, @hasAnyRole, @hasScope,
 * @hasClaim, @public) and Apollo's (@authenticated, @requiresScopes, @policy) by
 * wrapping the resolvers of concrete object fields, so every path to a field
 * — alias, fragment, interface, union, list, federation entity — runs the
 * same check. Requirements are computed here, once; each field call runs a
 * precompiled guard that stays synchronous for synchronous resolvers.
 * Policies on a type are decided for each object of the type wherever it is
 * returned (the type's `isTypeOf`): a denied object becomes null with the
 * denial at its path. Apply it last, after every other schema transform.
 *
 * @example const schema = authDirectiveTransformer(makeExecutableSchema({ typeDefs, resolvers }))
 */
export function authDirectiveTransformer(schema: GraphQLSchema, options: AuthTransformerOptions = {}): GraphQLSchema {
  const mode = options.mode ?? 'default';
  if (mode !== 'default' && mode !== 'protect-all') throw new TypeError(`mode must be "default" or "protect-all", not "${String(mode)}"`);
  assertDirectivePlacement(typeDefinitionNodes(schema));
  assertCodeFirstPlacement(schema);
  const protection = planProtection(schema, mode);
  const registry = checkPolicyRegistry(options.policies, protection.policyNames, 'authDirectiveTransformer');
  const fieldGuards = new Map<string, Guard>();
  for (const [coordinate, field] of protection.fields) {
    if (field.requirements.length > 0) fieldGuards.set(coordinate, compileGuard(field.requirements));
  }
  const typeGuards = new Map<string, Guard>();
  const policyTypes = new Set<string>();
  for (const [name, type] of protection.types) {
    if (type.requirements.length > 0) typeGuards.set(name, compileGuard(type.requirements));
    if (type.policies.length > 0) policyTypes.add(name);
  }

  const guarded = mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig, fieldName, typeName) => {
      const coordinate = `${typeName}.${fieldName}`;
      const guard = fieldGuards.get(coordinate);
      const policies = protection.fields.get(coordinate)?.fieldPolicies ?? [];
      if (guard === undefined && policies.length === 0) return fieldConfig;
      return guardField(fieldConfig, coordinate, guard, policies.length === 0 ? undefined : compilePolicyCheck(policies, registry, coordinate));
    },
    [MapperKind.OBJECT_TYPE]: (type) =>
      guardObjectPolicies(guardReferenceResolver(type, typeGuards.get(type.name)), protection.types.get(type.name)?.policies ?? [], registry),
    [MapperKind.INTERFACE_TYPE]: (type) =>
      guardTypeResolution(guardReferenceResolver(type, typeGuards.get(type.name)), typeGuards, schema, policyTypes),
    [MapperKind.UNION_TYPE]: (type) => guardTypeResolution(type, typeGuards, schema, policyTypes),
  });
  recordAuthPlan(guarded, { fieldGuards, typeGuards, protection, unguarded: schema });
  return guarded;
}

/** Where an object is returned: the field coordinate audit mode and policy failures are reported under. */
function returnedAt(info: GraphQLResolveInfo): string {
  return `${info.parentType.name}.${info.fieldName}`;
}

type PolicyCheck = (parent: unknown, args: Record<string, unknown>, context: ContextWithPrincipal, info: GraphQLResolveInfo) =>
  GraphQLError | undefined | Promise<GraphQLError | undefined>;

/**
 * The policies that reach one element, as one check: undefined to allow, else
 * the prebuilt denial (UNAUTHENTICATED for an anonymous caller, FORBIDDEN
 * otherwise) naming the usage that failed. Synchronous while the policies are.
 */
function compilePolicyCheck(policies: readonly PolicyRequirement[], registry: PolicyRegistry, coordinate: string | undefined): PolicyCheck {
  const denials = new Map(policies.map((usage) => [usage, { anonymous: denialError('UNAUTHENTICATED', usage.description), forbidden: denialError('FORBIDDEN', usage.description) }]));
  return (parent, args, context, info) => {
    const principal = context.principal ?? null;
    const at = coordinate ?? returnedAt(info);
    const runtime = authRuntimeOf(context);
    const outcome = evaluatePolicies(policies, registry, { principal, parent, args, context: context as Record<string, unknown>, info }, (name, problem, error) =>
      runtime.policyFailed(name, at, problem, error));
    const decide = ({ failed }: { failed: PolicyRequirement | undefined }): GraphQLError | undefined => {
      if (failed === undefined) return undefined;
      const denial = principal === null ? denials.get(failed)!.anonymous : denials.get(failed)!.forbidden;
      return enforce(context, info.schema, at, denial);
    };
    return outcome instanceof Promise ? outcome.then(decide) : decide(outcome);
  };
}

/**
 * An object type with policies: each object is checked as graphql-js
 * completes it (`isTypeOf`), whatever returned it — a field, a list item, an
 * interface or union, `_entities`. A denied object becomes null with the
 * denial at its path: nothing of it, not even `__typename`, is sent.
 */
function guardObjectPolicies(type: GraphQLObjectType, policies: readonly PolicyRequirement[], registry: PolicyRegistry): GraphQLObjectType {
  if (policies.length === 0) return type;
  const check = compilePolicyCheck(policies, registry, undefined);
  const config = type.toConfig();
  const original = config.isTypeOf;
  const decide = (value: unknown, context: ContextWithPrincipal, info: GraphQLResolveInfo): boolean | Promise<boolean> => {
    const verdict = check(value, {}, context, info);
    if (verdict === undefined) return true;
    if (verdict instanceof Promise) {
      return verdict.then((denial) => {
        if (denial !== undefined) throw denial;
        return true;
      });
    }
    throw verdict;
  };
  const isTypeOf: GraphQLIsTypeOfFn<unknown, ContextWithPrincipal> = (value, context, info) => {
    if (original != null) {
      const own = original(value, context, info);
      if (own instanceof Promise) return own.then((is) => (is ? decide(value, context, info) : false));
      if (!own) return false;
    }
    return decide(value, context, info);
  };
  return new GraphQLObjectType({ ...config, isTypeOf });
}

function guardField<TSource, TArgs>(
  fieldConfig: GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs>,
  coordinate: string,
  guard: Guard | undefined,
  policyCheck: PolicyCheck | undefined,
): GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs> {
  const resolve = fieldConfig.resolve ?? (defaultFieldResolver as GraphQLFieldResolver<TSource, ContextWithPrincipal, TArgs>);
  const subscribe = fieldConfig.subscribe;
  // Returning (not throwing) the prebuilt error: graphql-js treats a returned
  // Error as the field's error, and the happy path stays a plain sync call.
  // In audit mode `enforce` records the would-be denial and lets the call through.
  const wrap = (inner: GraphQLFieldResolver<TSource, ContextWithPrincipal, TArgs>): GraphQLFieldResolver<TSource, ContextWithPrincipal, TArgs> => {
    if (policyCheck === undefined) {
      return (source, args, context, info) => {
        const denial = guard!(context.principal);
        return denial === undefined || enforce(context, info.schema, coordinate, denial) === undefined ? inner(source, args, context, info) : denial;
      };
    }
    return (source, args, context, info) => {
      if (guard !== undefined) {
        const denial = guard(context.principal);
        if (denial !== undefined && enforce(context, info.schema, coordinate, denial) !== undefined) return denial;
      }
      const verdict = policyCheck(source, args as Record<string, unknown>, context, info);
      if (verdict === undefined) return inner(source, args, context, info);
      return verdict instanceof Promise ? verdict.then((denial) => denial ?? inner(source, args, context, info)) : verdict;
    };
  };
  const guarded: GraphQLFieldConfig<TSource, ContextWithPrincipal, TArgs> = { ...fieldConfig, resolve: wrap(resolve) };
  if (subscribe !== undefined) guarded.subscribe = wrap(subscribe);
  return guarded;
}

type TypeResolver = GraphQLTypeResolver<unknown, ContextWithPrincipal>;

/**
 * An interface or union: once the concrete type of a value is known, a
 * caller who may not see that type gets the type's denial at the field's
 * path (the value becomes null), so `__typename` tells nothing either.
 */
function guardTypeResolution<T extends GraphQLInterfaceType | GraphQLUnionType>(
  type: T,
  typeGuards: ReadonlyMap<string, Guard>,
  unguarded: GraphQLSchema,
  policyTypes: ReadonlySet<string>,
): T {
  const config = type.toConfig();
  // Without a resolveType graphql-js asks each possible type's isTypeOf, and a
  // policy type's isTypeOf now checks policies: resolve on the unguarded types.
  const original = unguarded.getType(type.name) as GraphQLInterfaceType | GraphQLUnionType;
  const needsOwnResolver = config.resolveType == null && unguarded.getPossibleTypes(original).some((possible) => policyTypes.has(possible.name));
  if (typeGuards.size === 0 && !needsOwnResolver) return type;
  const resolveType = (config.resolveType ??
    (needsOwnResolver
      ? (value: unknown, context: unknown, info: GraphQLResolveInfo) => defaultTypeResolver(value, context, { ...info, schema: unguarded }, original)
      : defaultTypeResolver)) as TypeResolver;
  const check = (name: string | undefined, context: ContextWithPrincipal, info: GraphQLResolveInfo): string | undefined => {
    const guard = name === undefined ? undefined : typeGuards.get(name);
    const denial = guard?.(context.principal);
    if (denial !== undefined && enforce(context, info.schema, returnedAt(info), denial) !== undefined) throw denial;
    return name;
  };
  const guarded: TypeResolver = (value, context, info, abstractType) => {
    const name = resolveType(value, context, info, abstractType);
    return name instanceof Promise ? name.then((resolved) => check(resolved, context, info)) : check(name, context, info);
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
  // Without a __resolveReference @apollo/subgraph returns the representation
  // itself, which the type's field guards and _Entity's type check still meet.
  const original = subgraph?.resolveReference;
  if (guard === undefined || original === undefined) return type;
  const resolveReference: ReferenceResolver = (reference, context, info) => {
    const denial = guard(context.principal);
    if (denial === undefined || enforce(context, info.schema, 'Query._entities', denial) === undefined) return original(reference, context, info);
    // A fresh error each time: @apollo/subgraph tags each entry's result with
    // __typename. An entity interface's result must name its concrete type, so
    // its denial is a rejection instead (returned, it would read as a typeless
    // object; thrown, it would fail every entry of the list).
    const error = new GraphQLError(denial.message, { extensions: denial.extensions });
    if (isInterfaceType(type)) return Promise.reject(error);
    return error;
  };
  const config = type.toConfig();
  const newExtensions = { ...config.extensions, apollo: { ...extensions.apollo, subgraph: { ...subgraph, resolveReference } } };
  return (isObjectType(type)
    ? new GraphQLObjectType({ ...(config as ReturnType<GraphQLObjectType['toConfig']>), extensions: newExtensions })
    : new GraphQLInterfaceType({ ...(config as ReturnType<GraphQLInterfaceType['toConfig']>), extensions: newExtensions })) as T;
}

function typeDefinitionNodes(schema: GraphQLSchema) {
  const nodes = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.astNode) nodes.push(type.astNode);
    nodes.push(...type.extensionASTNodes);
  }
  return nodes;
}
