import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { AuthMode } from './auth-directive-transformer.ts';
import { AuthSchemaError } from './auth-schema-error.ts';
import type { PolicyRequirement } from './policy.ts';
import { NO_RULES, readRules, type ElementRules } from './read-requirements.ts';
import { authenticated, type Requirement } from './requirement.ts';

/** Fields that stay public in default-deny mode: federation's service fields. */
export const ALWAYS_PUBLIC_FIELDS: ReadonlySet<string> = new Set(['Query._service', 'Query._entities']);
export const ALWAYS_PUBLIC_TYPES: ReadonlySet<string> = new Set(['_Service']);

/** Where a rule that reaches a field comes from. */
export type ProtectionSourceKind =
  | 'field' // the field's own directive
  | 'type' // the type the field belongs to
  | 'interface' // an interface of that type (type-level)
  | 'interface-field' // the same field on an interface
  | 'returned-type' // the type the field returns
  | 'possible-type' // a type the field's interface or union may resolve to: checked per item, when resolved
  | 'protect-all'; // default-deny

export interface ProtectionSource {
  readonly kind: ProtectionSourceKind;
  /** The schema element that carries the rule: `Type`, `Type.field`, or `protect-all`. */
  readonly from: string;
  readonly requirements: readonly Requirement[];
  readonly policies: readonly PolicyRequirement[];
}

export interface FieldProtection {
  readonly coordinate: string;
  /** Every rule that reaches the field, by where it comes from (empty: nothing protects it). */
  readonly sources: readonly ProtectionSource[];
  /** The static requirements the field's guard checks (sources flattened; object policies excluded). */
  readonly requirements: readonly Requirement[];
  /** The policies decided when the field resolves, with its parent: the field's own, its interface field's, and its returned scalar's or enum's. */
  readonly fieldPolicies: readonly PolicyRequirement[];
  /** True when some object policy may run where this field is resolved: the fast path cannot decide it. */
  readonly dataDependent: boolean;
  /** The element marked @public (the field, its type or an interface), or a federation service field. */
  readonly publicFrom: string | undefined;
}

export interface TypeProtection {
  /** What it takes to see an object of this type at all: its and its interfaces' type-level requirements, default-deny applied. */
  readonly requirements: readonly Requirement[];
  /** Object type only: its and its interfaces' type-level policies, decided for each object of the type. */
  readonly policies: readonly PolicyRequirement[];
}

/**
 * What protects every field of a schema: the single planner behind both
 * `authDirectiveTransformer` (which compiles it into guards) and
 * `protectionReport` (which prints it), so the report cannot disagree with
 * what the server enforces. Reads and checks every directive; misuse throws
 * an AuthSchemaError naming the element.
 */
export interface ProtectionPlan {
  readonly mode: AuthMode;
  /** "Type.field" → protection, for every field of every object type (introspection excluded). */
  readonly fields: ReadonlyMap<string, FieldProtection>;
  /** Object or interface name → type-level protection, for the types that have any. */
  readonly types: ReadonlyMap<string, TypeProtection>;
  /** Every policy name the schema uses, with the first element using it. */
  readonly policyNames: ReadonlyMap<string, string>;
}

export function planProtection(schema: GraphQLSchema, mode: AuthMode): ProtectionPlan {
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

  const policyNames = new Map<string, string>();
  const notePolicies = (rules: ElementRules, where: string) => {
    for (const usage of rules.policies) {
      for (const name of usage.alternatives.flat()) if (!policyNames.has(name)) policyNames.set(name, where);
    }
  };
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null).map((t) => t!.name));

  const types = new Map<string, TypeProtection>();
  const typeProtection = (type: GraphQLObjectType | GraphQLInterfaceType): TypeProtection => {
    const owners = isObjectType(type) ? [type, ...type.getInterfaces()] : [type];
    const requirements = owners.flatMap((owner) => typeRulesOf(owner).requirements);
    const isPublic = owners.some((owner) => typeRulesOf(owner).isPublic);
    if (mode === 'protect-all' && !isPublic && !ALWAYS_PUBLIC_TYPES.has(type.name)) requirements.push(authenticated);
    const policies = isObjectType(type) ? owners.flatMap((owner) => typeRulesOf(owner).policies) : [];
    return { requirements, policies };
  };
  const hasObjectPolicies = (type: GraphQLNamedType): boolean => {
    if (isObjectType(type)) return typeProtection(type).policies.length > 0;
    if (isAbstractType(type)) return schema.getPossibleTypes(type).some((possible) => typeProtection(possible).policies.length > 0);
    return false;
  };

  const fields = new Map<string, FieldProtection>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type)) continue;
    if (isInterfaceType(type)) {
      // Read (and so validate) interface rules even where no object implements them yet.
      notePolicies(typeRulesOf(type), typeCoordinate(type));
      for (const fieldName of Object.keys(type.getFields())) notePolicies(fieldRules(type, fieldName), `field ${type.name}.${fieldName}`);
      const protection = typeProtection(type);
      if (protection.requirements.length > 0) types.set(type.name, protection);
      continue;
    }
    if (!isObjectType(type)) {
      notePolicies(typeRulesOf(type), typeCoordinate(type));
      continue;
    }
    const own = typeRulesOf(type);
    notePolicies(own, typeCoordinate(type));
    if (own.policies.length > 0 && roots.has(type.name)) {
      // A root object is never "returned", so no per-object check could run.
      throw new AuthSchemaError(typeCoordinate(type), 'policy', 'cannot be used on a root operation type; put it on its fields.');
    }
    const protection = typeProtection(type);
    if (protection.requirements.length > 0 || protection.policies.length > 0) types.set(type.name, protection);
    const interfaces = type.getInterfaces();

    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const coordinate = `${type.name}.${fieldName}`;
      const sources: ProtectionSource[] = [];
      const add = (kind: ProtectionSourceKind, from: string, requirements: readonly Requirement[], policies: readonly PolicyRequirement[]) => {
        if (requirements.length > 0 || policies.length > 0) sources.push({ kind, from, requirements, policies });
      };
      let publicFrom: string | undefined;
      const ownField = fieldRules(type, fieldName);
      notePolicies(ownField, `field ${coordinate}`);
      // Type-level rules of the type and its interfaces reach every field; an
      // interface's field rules reach the same field. Object policies are
      // decided once per object, where it is returned (isTypeOf).
      add('type', type.name, own.requirements, own.policies);
      if (own.isPublic) publicFrom ??= type.name;
      add('field', coordinate, ownField.requirements, ownField.policies);
      if (ownField.isPublic) publicFrom ??= coordinate;
      for (const owner of interfaces) {
        const ownerType = typeRulesOf(owner);
        add('interface', owner.name, ownerType.requirements, ownerType.policies);
        if (ownerType.isPublic) publicFrom ??= owner.name;
        if (fieldName in owner.getFields()) {
          const ownerField = fieldRules(owner, fieldName);
          add('interface-field', `${owner.name}.${fieldName}`, ownerField.requirements, ownerField.policies);
          if (ownerField.isPublic) publicFrom ??= `${owner.name}.${fieldName}`;
        }
      }
      // A type the caller may not see is guarded where it is returned too, so
      // that __typename, list lengths and existence reveal nothing: an object
      // type's requirements (its interfaces' included), an interface's own and
      // Apollo's on it, and Apollo's directives on scalars and enums. The
      // concrete type behind an interface or union is checked when it is resolved.
      const returned = getNamedType(field.type);
      if (isObjectType(returned)) {
        const seen = typeProtection(returned);
        add('returned-type', returned.name, seen.requirements, seen.policies);
      } else if (isInterfaceType(returned)) {
        add('returned-type', returned.name, typeRulesOf(returned).requirements, typeRulesOf(returned).policies);
      } else {
        const rules = typeRulesOf(returned);
        add('returned-type', returned.name, rules.requirements, rules.policies);
      }
      if (isAbstractType(returned)) {
        for (const possible of schema.getPossibleTypes(returned)) {
          const seen = typeProtection(possible);
          add('possible-type', possible.name, seen.requirements, seen.policies);
        }
      }
      if (ALWAYS_PUBLIC_FIELDS.has(coordinate) || ALWAYS_PUBLIC_TYPES.has(type.name)) publicFrom ??= 'federation';
      if (mode === 'protect-all' && publicFrom === undefined) add('protect-all', 'protect-all', [authenticated], []);

      // Possible types are checked when an item resolves to them (guardTypeResolution, isTypeOf), not by the field's guard.
      const requirements = sources.filter((source) => source.kind !== 'possible-type').flatMap((source) => source.requirements);
      const fieldPolicies = sources
        .filter((source) => source.kind === 'field' || source.kind === 'interface-field' || (source.kind === 'returned-type' && (isScalarType(returned) || isEnumType(returned))))
        .flatMap((source) => source.policies);
      const dataDependent = fieldPolicies.length > 0 || hasObjectPolicies(returned) || protection.policies.length > 0;
      fields.set(coordinate, { coordinate, sources, requirements, fieldPolicies, dataDependent, publicFrom });
    }
  }
  return { mode, fields, types, policyNames };
}

export function typeCoordinate(type: GraphQLNamedType): string {
  if (isObjectType(type)) return `type ${type.name}`;
  if (isInterfaceType(type)) return `interface ${type.name}`;
  if (isEnumType(type)) return `enum ${type.name}`;
  return `scalar ${type.name}`;
}
