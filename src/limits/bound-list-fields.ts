import { defaultFieldResolver, getNullableType, isListType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import { resultTooLargeError } from '../errors.ts';

/** Where an operation's list-item budget lives on its context (set per execution by the limits plugin). */
export const LIST_BUDGET: unique symbol = Symbol.for('claimgate.listBudget');

export interface ListBudget {
  /** Items still allowed; below zero once the budget is spent. */
  remaining: number;
  readonly max: number;
}

type BudgetedContext = { [LIST_BUDGET]?: ListBudget } | null | undefined;

/**
 * Wraps every list-returning field so that the items it resolves are counted
 * against the operation's budget: past it, that field (and every list after
 * it) resolves to an error with code RESULT_TOO_LARGE instead of growing the
 * response. Without a budget on the context (an execution the limits plugin
 * did not start) nothing is counted. Sync resolvers stay sync.
 */
export function boundListFields(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (fieldConfig) => {
      if (!isListType(getNullableType(fieldConfig.type))) return fieldConfig;
      const resolve: GraphQLFieldResolver<unknown, BudgetedContext> = fieldConfig.resolve ?? defaultFieldResolver;
      return {
        ...fieldConfig,
        resolve: (source, args, context, info) => {
          const result = resolve(source, args, context, info);
          return result instanceof Promise ? result.then((value) => spend(value, context)) : spend(result, context);
        },
      };
    },
  });
}

function spend(value: unknown, context: BudgetedContext): unknown {
  const budget = context?.[LIST_BUDGET];
  if (budget === undefined || !Array.isArray(value)) return value;
  if (budget.remaining < 0) return resultTooLargeError(budget.max);
  budget.remaining -= value.length;
  return budget.remaining < 0 ? resultTooLargeError(budget.max) : value;
}
