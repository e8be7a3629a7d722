import { getNamedType, isAbstractType, isIntrospectionType, isObjectType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { AuthMode } from './auth-directive-transformer.ts';
import { assertDirectivePlacement } from './assert-directive-placement.ts';
import { getAuthPlan } from './auth-plan.ts';
import { planProtection, type ProtectionPlan, type ProtectionSourceKind } from './plan-protection.ts';

export interface ProtectionReportEntry {
  /** `Type.field` */
  readonly coordinate: string;
  /**
   * `protected`: some requirement or policy reaches the field (what an
   * anonymous caller gets is a denial). `public`: nothing does, and it is
   * marked @public (or is a federation service field). `unprotected`: nothing
   * does and nothing says it should be open.
   */
  readonly status: 'protected' | 'public' | 'unprotected';
  /** What protects it, each with where it comes from: the field's own directive, its type's, an interface's, the returned type's, protect-all. */
  readonly protectedBy: readonly { readonly kind: ProtectionSourceKind; readonly from: string; readonly requires: readonly string[] }[];
  /** The element that marks it @public (`federation` for `_service` and `_entities`). */
  readonly publicFrom?: string;
}

export interface ProtectionReport {
  readonly mode: AuthMode;
  /** Every field of every type reachable from the root types, sorted by coordinate. */
  readonly fields: readonly ProtectionReportEntry[];
  /** The coordinates nothing protects: what `claimgate report --fail-on-unprotected` fails on. */
  readonly unprotected: readonly string[];
}

/**
 * What protects each field a client can reach, from the same plan the
 * transformer enforces (so the two cannot disagree). For a schema already
 * returned by `authDirectiveTransformer` its own plan (and mode) is used;
 * otherwise the schema is planned with `mode` (default `default`). Policies
 * need not be registered to be reported.
 *
 * @example const { unprotected } = protectionReport(schema, { mode: 'protect-all' })
 */
export function protectionReport(schema: GraphQLSchema, options: { readonly mode?: AuthMode } = {}): ProtectionReport {
  let plan: ProtectionPlan;
  const existing = getAuthPlan(schema);
  if (existing !== undefined) {
    plan = existing.protection;
  } else {
    const mode = options.mode ?? 'default';
    if (mode !== 'default' && mode !== 'protect-all') throw new TypeError(`mode must be "default" or "protect-all", not "${String(mode)}"`);
    const nodes = Object.values(schema.getTypeMap()).flatMap((type) => [...(type.astNode ? [type.astNode] : []), ...type.extensionASTNodes]);
    assertDirectivePlacement(nodes);
    plan = planProtection(schema, mode);
  }
  const fields: ProtectionReportEntry[] = [];
  for (const type of reachableObjectTypes(existing?.unguarded ?? schema)) {
    for (const fieldName of Object.keys(type.getFields())) {
      const protection = plan.fields.get(`${type.name}.${fieldName}`)!;
      const protectedBy = protection.sources.map((source) => ({
        kind: source.kind,
        from: source.from,
        requires: [...new Set([...source.requirements, ...source.policies].map((rule) => rule.description))],
      }));
      const status = protectedBy.length > 0 ? 'protected' : protection.publicFrom !== undefined ? 'public' : 'unprotected';
      fields.push({ coordinate: protection.coordinate, status, protectedBy, ...(protection.publicFrom === undefined ? {} : { publicFrom: protection.publicFrom }) });
    }
  }
  fields.sort((a, b) => (a.coordinate < b.coordinate ? -1 : a.coordinate > b.coordinate ? 1 : 0));
  return { mode: plan.mode, fields, unprotected: fields.filter((field) => field.status === 'unprotected').map((field) => field.coordinate) };
}

/** The object types a client can reach from the root types (through fields, interfaces and unions). */
function reachableObjectTypes(schema: GraphQLSchema): GraphQLObjectType[] {
  const seen = new Set<string>();
  const objects: GraphQLObjectType[] = [];
  const queue: GraphQLNamedType[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null) as GraphQLNamedType[];
  while (queue.length > 0) {
    const type = queue.shift()!;
    if (seen.has(type.name) || isIntrospectionType(type)) continue;
    seen.add(type.name);
    if (isAbstractType(type)) queue.push(...schema.getPossibleTypes(type));
    if (!isObjectType(type)) continue;
    objects.push(type);
    for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type));
  }
  return objects;
}
