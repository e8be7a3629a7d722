// The floor: node:http and graphql-js alone, no framework, no auth. The
// document is parsed and validated once per distinct query text; each request
// is JSON in, execute, JSON out. What any server on this schema must at least spend.
import { execute, parse, validate, type DocumentNode, type GraphQLError } from 'graphql';
import { createPlainExampleSchema } from './plain-example-schema.ts';
import { HOT_PRINCIPAL } from './hot-principal.ts';
import { listen } from './listen.ts';

const schema = createPlainExampleSchema();
const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
const contextValue = { principal: HOT_PRINCIPAL };

function documentOf(query: string): DocumentNode | readonly GraphQLError[] {
  let cached = documents.get(query);
  if (cached === undefined) {
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      cached = errors.length > 0 ? errors : document;
    } catch (error) {
      cached = [error as GraphQLError];
    }
    documents.set(query, cached);
  }
  return cached;
}

listen((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    let body: string;
    try {
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const document = documentOf(String(query));
      const result = Array.isArray(document)
        ? { errors: document }
        : await execute({ schema, document: document as DocumentNode, variableValues: variables, operationName, contextValue });
      body = JSON.stringify(result);
    } catch {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Bad request."}]}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8' }).end(body);
  });
}, process.env);
