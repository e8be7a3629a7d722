import { getOperationAST, parse, GraphQLError, type DocumentNode, type ExecutionArgs, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { operationLimitError, type LimitCode } from '../errors.ts';
import { LIST_BUDGET, type ListBudget } from './bound-list-fields.ts';
import { estimateCost } from './estimate-cost.ts';
import type { OperationLimits } from './operation-limits.ts';
import { LIMIT_NAMES, noopMetrics, type LimitName, type MetricsRecorder } from '../telemetry/metrics-recorder.ts';

/**
 * Enforces the operation limits on every operation Yoga executes (GET, POST,
 * SSE, WebSocket), before any resolver runs:
 * - parser tokens, with graphql-js's own `maxTokens` (the parser stops at the
 *   limit, so a 27,000-alias document costs no more than a 2,000-token one);
 * - depth, aliases and directives, with GraphQL Armor's validation rules
 *   (cached with Yoga's validation result), re-reported with our codes;
 * - the estimated cost (`estimateCost`), which needs the variables and so
 *   runs at execution, cached per document when no variable is involved;
 * and gives each execution its list-item budget (`boundListFields`).
 * Each refused operation is counted once, by the limit that refused it.
 */
export function useOperationLimits(limits: OperationLimits, metrics: MetricsRecorder = noopMetrics): Plugin {
  const costModel = { listSizeArguments: limits.listSizeArguments, defaultListSize: limits.defaultListSize };
  const constantCosts = new WeakMap<DocumentNode, Map<string | null | undefined, number>>();
  const armorRules = [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [report('OPERATION_TOO_DEEP', 'maxDepth', limits.maxDepth, 'Operation too deep: selection depth')] }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [report('OPERATION_TOO_MANY_ALIASES', 'maxAliases', limits.maxAliases, 'Too many aliases')] }),
    maxDirectivesRule({ n: limits.maxDirectives, propagateOnRejection: false, onReject: [report('OPERATION_TOO_MANY_DIRECTIVES', 'maxDirectives', limits.maxDirectives, 'Too many directives')] }),
  ];
  /** The cost refusal of an operation over `maxCost`, or undefined. */
  const overCost = (args: ExecutionArgs): GraphQLError | undefined => {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation === null || operation === undefined) return undefined;
    const usesVariables = (operation.variableDefinitions?.length ?? 0) > 0;
    let byOperation = constantCosts.get(args.document);
    let cost = usesVariables ? undefined : byOperation?.get(args.operationName);
    if (cost === undefined) {
      cost = estimateCost(args.schema, args.document, operation, args.variableValues as Record<string, unknown> | undefined, costModel);
      if (!usesVariables) {
        if (byOperation === undefined) constantCosts.set(args.document, (byOperation = new Map()));
        byOperation.set(args.operationName, cost);
      }
    }
    if (cost <= limits.maxCost) return undefined;
    return operationLimitError(
      'OPERATION_TOO_COMPLEX',
      'maxCost',
      limits.maxCost,
      `Operation too complex: its estimated cost is ${cost}, over the limit of ${limits.maxCost} (maxCost); list fields count once per item they may return, so ask for fewer items or fewer aliases.`,
    );
  };
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && error.message.includes('tokens')) {
            throw operationLimitError('OPERATION_TOO_LARGE', 'maxTokens', limits.maxTokens, `Operation too large: the document has more than ${limits.maxTokens} tokens (maxTokens).`);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      for (const rule of armorRules) addValidationRule(rule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = overCost(args);
      if (refusal !== undefined) {
        setResultAndStopExecution({ errors: [refusal] });
        return;
      }
      const context = args.contextValue as { [LIST_BUDGET]?: ListBudget };
      context[LIST_BUDGET] = { remaining: limits.maxListItems, max: limits.maxListItems };
    },
    // Subscriptions do not pass through onExecute: the same cost limit at
    // subscribe, and a fresh list-item budget for each event's result.
    onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = overCost(args);
      if (refusal !== undefined) {
        setResultAndStopExecution({ errors: [refusal] });
        return undefined;
      }
      const context = args.contextValue as { [LIST_BUDGET]?: ListBudget };
      const budget: ListBudget = { remaining: limits.maxListItems, max: limits.maxListItems };
      context[LIST_BUDGET] = budget;
      return {
        onSubscribeResult: () => ({
          onNext: () => {
            budget.remaining = limits.maxListItems;
          },
        }),
      };
    },
    // Counted from the response, whichever stage refused it: Yoga caches
    // parse and validation results, so the rules alone would count once per document.
    onResultProcess({ result }) {
      if (metrics === noopMetrics) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        const limit = refusedBy((one as { errors?: readonly GraphQLError[] } | null)?.errors);
        if (limit !== undefined) metrics.operationRefused(limit);
      }
    },
  };
}

const LIMITS = new Set<string>(LIMIT_NAMES);

/** The limit named by the first of our limit errors in a result, if any. */
function refusedBy(errors: readonly GraphQLError[] | undefined): LimitName | undefined {
  if (errors === undefined) return undefined;
  for (const error of errors) {
    const { code, limit } = error.extensions ?? {};
    if (typeof code === 'string' && LIMIT_CODES.has(code) && typeof limit === 'string' && LIMITS.has(limit)) return limit as LimitName;
  }
  return undefined;
}

const LIMIT_CODES = new Set(['OPERATION_TOO_LARGE', 'OPERATION_TOO_DEEP', 'OPERATION_TOO_MANY_ALIASES', 'OPERATION_TOO_MANY_DIRECTIVES', 'OPERATION_TOO_COMPLEX', 'RESULT_TOO_LARGE']);

/** An Armor rejection re-reported as our error (our code, our message), instead of Armor's uncoded one. */
function report(code: LimitCode, limit: string, max: number, title: string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const found = /found (\d+)/.exec(error.message)?.[1] ?? 'more';
    context?.reportError(operationLimitError(code, limit, max, `${title}: found ${found}, the limit is ${max} (${limit}).`));
  };
}
