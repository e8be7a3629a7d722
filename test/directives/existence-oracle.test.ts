// A caller who may not see a type learns nothing from __typename, list
// lengths or counts: the type is guarded where it is returned (real HTTP,
// the example API, on the guarded path and the fast path alike).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { graphql, withIssuerAndApi } from '../support/test-api.ts';

const running = withIssuerAndApi();

const QUERY = `{
  d1: node(id: "d1") { __typename }
  n1: node(id: "n1") { __typename }
  search(q: "x") { __typename }
  secretOfTheDay { __typename }
}`;

async function ask(query: string, roles?: string[]) {
  const token = roles === undefined ? undefined : await running.issuer.mint({ roles });
  const response = await graphql(running.api.graphqlUrl, { query, ...(token === undefined ? {} : { token }) });
  assert.equal(response.status, 200);
  return { data: response.body.data, errors: (response.body.errors ?? []).map((error) => [error.path?.join('.'), error.extensions?.code]) };
}

describe('existence oracle: only __typename selected', () => {
  test('anonymous: protected objects are null with UNAUTHENTICATED, public ones answer', async () => {
    assert.deepEqual(await ask(QUERY), {
      data: { d1: null, n1: { __typename: 'PublicNote' }, search: [{ __typename: 'PublicNote' }, null, { __typename: 'PublicNote' }], secretOfTheDay: null },
      errors: [['d1', 'UNAUTHENTICATED'], ['search.1', 'UNAUTHENTICATED'], ['secretOfTheDay', 'UNAUTHENTICATED']],
    });
  });

  test('authenticated without the editor role: Documents are null with FORBIDDEN, the @auth Secret answers', async () => {
    assert.deepEqual(await ask(QUERY, ['reader']), {
      data: { d1: null, n1: { __typename: 'PublicNote' }, search: [{ __typename: 'PublicNote' }, null, { __typename: 'PublicNote' }], secretOfTheDay: { __typename: 'Secret' } },
      errors: [['d1', 'FORBIDDEN'], ['search.1', 'FORBIDDEN']],
    });
  });

  test('editor: everything answers', async () => {
    assert.deepEqual(await ask(QUERY, ['editor']), {
      data: { d1: { __typename: 'Document' }, n1: { __typename: 'PublicNote' }, search: [{ __typename: 'PublicNote' }, { __typename: 'Document' }, { __typename: 'PublicNote' }], secretOfTheDay: { __typename: 'Secret' } },
      errors: [],
    });
  });

  test('a list of a protected type cannot be counted: documents(limit: 5000) { __typename } is one denial, no items', async () => {
    for (const [roles, code] of [[undefined, 'UNAUTHENTICATED'], [['reader'], 'FORBIDDEN']] as const) {
      assert.deepEqual(await ask('{ documents(limit: 5000) { __typename } }', roles === undefined ? undefined : [...roles]), {
        data: null,
        errors: [['documents', code]],
      });
    }
    const editor = await ask('{ documents(limit: 5000) { __typename } }', ['editor']);
    assert.equal((editor.data!.documents as unknown[]).length, 5000);
  });
});
