import type { PolicyRegistry } from '../directives/policy.ts';

/**
 * The policies the example API's `@policy` names: the owner reads their own
 * draft, an editor reads every draft. A policy on a type receives each object
 * of the type as `parent`.
 */
export const examplePolicies: PolicyRegistry = Object.freeze({
  'draft.owner': ({ principal, parent }) => principal !== null && principal.subject === (parent as { ownerId: string }).ownerId,
  'draft.editor': ({ principal }) => principal !== null && principal.roles.includes('editor'),
});
