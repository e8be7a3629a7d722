import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface CostModel {
  /** Arguments read as a list field's size, first match wins (`limit`, `first`, ...). */
  readonly listSizeArguments: readonly string[];
  /** Size assumed for a list field with no size argument. */
  readonly defaultListSize: number;
}

/**
 * An upper bound on the work an operation asks for: every selected field
 * costs 1 plus its selection, and a list field multiplies that by its size
 * (its size argument — literal, variable or default — else the model's
 * default list size). Fragments are costed once each, so fragment fan-out
 * cannot make the estimate itself expensive; `@skip`/`@include` are ignored
 * (an upper bound). Introspection fields cost 1: the depth, alias and token
 * limits and the list-item budget bound them.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  model: CostModel,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentCosts = new Map<string, number>();
  // A variable the request leaves out takes the operation's default for it.
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const given = variables?.[name];
    values[name] = given !== undefined && given !== null ? given : definition.defaultValue === undefined ? undefined : valueOf(definition.defaultValue, {}, undefined);
  }

  const selectionCost = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined | null): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition === undefined ? parent : schema.getType(selection.typeCondition.name.value);
        total += selectionCost(selection.selectionSet, type);
      } else {
        const name = selection.name.value;
        let cost = fragmentCosts.get(name);
        if (cost === undefined) {
          const fragment = fragments.get(name);
          // A cycle is a validation error; it costs nothing while being costed.
          fragmentCosts.set(name, 0);
          cost = fragment === undefined ? 0 : selectionCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
          fragmentCosts.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLNamedType | undefined | null): number => {
    if (node.name.value.startsWith('__')) return 1;
    const field = fieldOf(parent, node.name.value);
    if (field === undefined) return 1;
    const inner = node.selectionSet === undefined ? 0 : selectionCost(node.selectionSet, getNamedType(field.type));
    return (1 + inner) * listMultiplier(field.type, node, field);
  };

  const listMultiplier = (type: GraphQLType, node: FieldNode, field: GraphQLField<unknown, unknown>): number => {
    let multiplier = 1;
    let current = getNullableType(type);
    let size: number | undefined;
    while (isListType(current)) {
      size ??= listSize(node, field, values, model);
      multiplier *= size;
      current = getNullableType(current.ofType);
    }
    return multiplier;
  };

  const root = schema.getRootType(operation.operation);
  return root === undefined || root === null ? 0 : selectionCost(operation.selectionSet, root);
}

function fieldOf(parent: GraphQLNamedType | undefined | null, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  return undefined;
}

function listSize(
  node: FieldNode,
  field: GraphQLField<unknown, unknown>,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  model: CostModel,
): number {
  for (const name of model.listSizeArguments) {
    const definition = field.args.find((arg) => arg.name === name);
    if (definition === undefined) continue;
    const given = node.arguments?.find((arg) => arg.name.value === name)?.value;
    const value = given === undefined ? definition.defaultValue : valueOf(given, variables, definition.defaultValue);
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
  }
  // A field given a list (ids, federation's representations) returns about
  // one item per entry: its longest list argument is its size.
  let longest: number | undefined;
  for (const argument of node.arguments ?? []) {
    const value = argument.value.kind === Kind.LIST ? argument.value.values : argument.value.kind === Kind.VARIABLE ? variables?.[argument.value.name.value] : undefined;
    if (Array.isArray(value)) longest = Math.max(longest ?? 0, value.length);
  }
  return longest ?? model.defaultListSize;
}

function valueOf(node: ValueNode, variables: Readonly<Record<string, unknown>> | null | undefined, fallback: unknown): unknown {
  if (node.kind === Kind.INT || node.kind === Kind.FLOAT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value] ?? fallback;
  return fallback;
}

