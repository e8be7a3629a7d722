import { Kind, type ConstDirectiveNode, type DefinitionNode, type DocumentNode, parse } from 'graphql';
import { AuthSchemaError } from './auth-schema-error.ts';
import { CLAIMGATE_DIRECTIVES } from './type-defs.ts';

const OURS = new Set(CLAIMGATE_DIRECTIVES);

/**
 * Throws an AuthSchemaError naming the type, field and directive when one of
 * claimgate's directives stands where it cannot be enforced: on an input
 * type or input field, an argument, an enum, a union, a scalar or the schema.
 * graphql-js would also refuse most of these, but without saying where.
 *
 * @example assertDirectivePlacement(parse(typeDefs).definitions)
 */
export function assertDirectivePlacement(definitions: readonly DefinitionNode[]): void {
  for (const definition of definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        checkArguments(definition.directives, `${definition.kind.startsWith('Object') ? 'type' : 'interface'} ${definition.name.value}`);
        for (const field of definition.fields ?? []) {
          checkArguments(field.directives, `field ${definition.name.value}.${field.name.value}`);
          for (const argument of field.arguments ?? []) {
            refuse(argument.directives, `argument ${definition.name.value}.${field.name.value}(${argument.name.value}:)`);
          }
        }
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        refuse(definition.directives, `input type ${definition.name.value}`);
        for (const field of definition.fields ?? []) {
          refuse(field.directives, `input field ${definition.name.value}.${field.name.value}`);
        }
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        refuse(definition.directives, `enum ${definition.name.value}`);
        for (const value of definition.values ?? []) refuse(value.directives, `enum value ${definition.name.value}.${value.name.value}`);
        break;
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.UNION_TYPE_EXTENSION:
        refuse(definition.directives, `union ${definition.name.value}`);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
        refuse(definition.directives, `scalar ${definition.name.value}`);
        break;
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        refuse(definition.directives, 'the schema');
        break;
      default:
        break;
    }
  }
}

/** Parses SDL given as strings or documents and checks it with assertDirectivePlacement. */
export function assertTypeDefsPlacement(typeDefs: string | DocumentNode | readonly (string | DocumentNode)[]): void {
  const list = Array.isArray(typeDefs) ? typeDefs : [typeDefs];
  for (const item of list as (string | DocumentNode)[]) {
    assertDirectivePlacement((typeof item === 'string' ? parse(item) : item).definitions);
  }
}

/** Argument names of claimgate's directives; graphql-js would refuse others without saying where. */
const ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  auth: [],
  hasRole: ['role'],
  hasAnyRole: ['roles'],
  hasScope: ['scope'],
  hasClaim: ['claim', 'value'],
  public: [],
};

function checkArguments(directives: readonly ConstDirectiveNode[] | undefined, where: string): void {
  for (const directive of directives ?? []) {
    const allowed = ARGUMENTS[directive.name.value];
    if (allowed === undefined) continue;
    for (const argument of directive.arguments ?? []) {
      if (!allowed.includes(argument.name.value)) {
        const expected = allowed.length === 0 ? 'it takes no arguments' : `it takes ${allowed.join(' and ')}`;
        throw new AuthSchemaError(where, directive.name.value, `unknown argument "${argument.name.value}"; ${expected}.`);
      }
    }
  }
}

function refuse(directives: readonly ConstDirectiveNode[] | undefined, where: string): void {
  for (const directive of directives ?? []) {
    if (OURS.has(directive.name.value)) {
      throw new AuthSchemaError(
        where,
        directive.name.value,
        'cannot be used here; put it on an object type, an interface, or a field of one.',
      );
    }
  }
}
