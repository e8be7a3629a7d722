import {
  getNamedType,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthPlan } from './auth-plan.ts';
import type { Guard } from './compile-guard.ts';

/** Fields whose resolvers reach guards that no selection shows: they always take the guarded path. */
const OPAQUE_FIELDS = new Set(['Query._entities']);

/**
 * Every guard an operation could run, whatever the data: for each field
 * selected (through fragments, and on every possible type of an abstract
 * type), the guard of that field. A superset — `@skip`/`@include` are
 * ignored — so "all of these pass" implies "every wrapper would pass".
 * Returns null when the operation reaches a field whose checks cannot be
 * read from the document (federation's `_entities`), or one where a policy
 * decides per object (data the document does not show).
 */
export function reachableGuards(schema: GraphQLSchema, plan: AuthPlan, document: DocumentNode, operation: OperationDefinitionNode): Guard[] | null {
  const root = schema.getRootType(operation.operation);
  if (root === undefined || root === null) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const guards = new Set<Guard>();
  const seen = new Set<string>();
  let opaque = false;

  const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): void => {
    for (const selection of selectionSet.selections) {
      if (opaque) return;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const owners = isAbstractType(parent) ? schema.getPossibleTypes(parent) : isObjectType(parent) ? [parent] : [];
        for (const owner of owners) {
          const coordinate = `${owner.name}.${name}`;
          if (OPAQUE_FIELDS.has(coordinate) || plan.protection.fields.get(coordinate)?.dataDependent === true) {
            opaque = true;
            return;
          }
          const guard = plan.fieldGuards.get(coordinate);
          if (guard !== undefined) guards.add(guard);
          const field = owner.getFields()[name];
          const returned = field === undefined ? undefined : getNamedType(field.type);
          // Which concrete type an abstract field returns is data: every possible type's guard may run.
          if (returned !== undefined && isAbstractType(returned)) {
            for (const possible of schema.getPossibleTypes(returned)) {
              const typeGuard = plan.typeGuards.get(possible.name);
              if (typeGuard !== undefined) guards.add(typeGuard);
            }
          }
          if (returned !== undefined && selection.selectionSet !== undefined) {
            visit(selection.selectionSet, returned as GraphQLCompositeType);
          }
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value);
        if (type !== undefined) visit(selection.selectionSet, type as GraphQLCompositeType);
      } else {
        const fragment = fragments.get(selection.name.value);
        const key = `${selection.name.value}@${parent.name}`;
        if (fragment === undefined || seen.has(key)) continue;
        seen.add(key);
        const type = schema.getType(fragment.typeCondition.name.value);
        if (type !== undefined) visit(fragment.selectionSet, type as GraphQLCompositeType);
      }
    }
  };
  visit(operation.selectionSet, root);
  return opaque ? null : [...guards];
}
