import { DEFAULTS } from '../config/defaults.ts';

/** What one operation may ask for; checked before execution, except `maxListItems` (while it runs). Each one's meaning and default is in DEFAULTS.limits. */
export interface OperationLimits {
  /** Parser tokens in the document; parsing stops past it. */
  readonly maxTokens: number;
  /** Nesting of selections (fragments flattened). */
  readonly maxDepth: number;
  /** Aliases in the operation (fragments counted where spread). */
  readonly maxAliases: number;
  /** Directives in the operation. */
  readonly maxDirectives: number;
  /** Estimated cost: each field 1 plus its selection, list fields multiplied by their size. */
  readonly maxCost: number;
  /** List items one operation may resolve in all; past it, lists resolve to RESULT_TOO_LARGE. */
  readonly maxListItems: number;
  /** Arguments read as a list's size, first match wins. */
  readonly listSizeArguments: readonly string[];
  /** Size assumed for a list field with no size argument. */
  readonly defaultListSize: number;
}

const NUMERIC = ['maxTokens', 'maxDepth', 'maxAliases', 'maxDirectives', 'maxCost', 'maxListItems', 'defaultListSize'] as const;

/**
 * The limits, defaulted from `DEFAULTS.limits`; throws a TypeError naming
 * the option for a value that is not a positive whole number (or, for
 * `listSizeArguments`, a list of argument names).
 */
export function normalizeLimits(options: Partial<OperationLimits> = {}): OperationLimits {
  const limits = { ...DEFAULTS.limits, ...definedOnly(options) };
  for (const name of NUMERIC) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`limits.${name} must be a whole number of at least 1, not ${JSON.stringify(value)}.`);
    }
  }
  const names = limits.listSizeArguments;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(name))) {
    throw new TypeError(`limits.listSizeArguments must be a list of GraphQL argument names, not ${JSON.stringify(names)}.`);
  }
  return Object.freeze({ ...limits, listSizeArguments: Object.freeze([...names]) });
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
