import type { TokenSet } from './tokens.ts';

/** What one server did wrong; empty when it may be timed. */
export type CorrectnessFailures = readonly string[];

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: readonly unknown[];
}

interface Check {
  readonly name: string;
  readonly query: string;
  readonly token: string | undefined;
  /** Only servers that enforce auth are held to this check. */
  readonly denial: boolean;
  /** Given the HTTP status and the body, true when the answer is right. */
  readonly accept: (status: number, body: GraphQLBody) => boolean;
}

/**
 * Checks over HTTP that a server serves and denies what the schema says,
 * before it is timed: a fast server that lets everything through would
 * otherwise win. Denials are judged by the body alone (the field is null or
 * absent, with an error), since servers differ on the status they send.
 */
export async function checkCorrectness(graphqlUrl: string, enforcesAuth: boolean, tokens: TokenSet): Promise<CorrectnessFailures> {
  const served = (field: string, expected: (value: unknown) => boolean) => (status: number, body: GraphQLBody) =>
    status === 200 && body.errors === undefined && expected(body.data?.[field]);
  const denied = (field: string) => (_status: number, body: GraphQLBody) =>
    body.data?.[field] == null && (body.errors?.length ?? 0) > 0;
  const documentsServed = served('documents', (value) => Array.isArray(value) && value.length === 2);

  const checks: readonly Check[] = [
    { name: 'anonymous publicInfo is served', query: '{ publicInfo }', token: undefined, denial: false, accept: served('publicInfo', (v) => v === 'claimgate example API') },
    { name: 'hot token: me is served', query: '{ me { sub roles } }', token: tokens.hot, denial: false, accept: served('me', (v) => (v as { sub?: unknown } | null)?.sub === 'bench-hot') },
    { name: 'admin role: adminReport is served', query: '{ adminReport }', token: tokens.hot, denial: false, accept: served('adminReport', (v) => v === 'All systems nominal.') },
    { name: 'editor role: documents are served', query: '{ documents(limit: 2) { id title } }', token: tokens.editor, denial: false, accept: documentsServed },
    { name: 'anonymous me is denied', query: '{ me { sub } }', token: undefined, denial: true, accept: denied('me') },
    { name: 'anonymous adminReport is denied', query: '{ adminReport }', token: undefined, denial: true, accept: denied('adminReport') },
    { name: 'editor without admin: adminReport is denied', query: '{ adminReport }', token: tokens.editor, denial: true, accept: denied('adminReport') },
    { name: 'viewer without editor: documents are denied', query: '{ documents(limit: 2) { id } }', token: tokens.viewer, denial: true, accept: denied('documents') },
    { name: 'invalid token is refused', query: '{ me { sub } }', token: tokens.invalid[0], denial: true, accept: (status, body) => status === 401 || denied('me')(status, body) },
  ];

  const failures: string[] = [];
  for (const check of checks) {
    if (check.denial && !enforcesAuth) continue;
    const { status, body } = await post(graphqlUrl, check.query, check.token);
    if (!check.accept(status, body)) failures.push(`${check.name}: got ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return failures;
}

async function post(url: string, query: string, token: string | undefined): Promise<{ status: number; body: GraphQLBody }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLBody };
  } catch {
    return { status: response.status, body: { errors: [`non-JSON body: ${text.slice(0, 100)}`] } };
  }
}
