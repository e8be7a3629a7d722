import { createPubSub } from 'graphql-yoga';
import type { Principal } from '../principal/principal.ts';

/** The context every claimgate resolver receives. */
export interface ExampleContext {
  readonly principal: Principal | null;
}

interface DocumentRecord {
  readonly id: string;
  title: string;
}

const MAX_DOCUMENTS = 5000;
/** Notes added with addNote that are kept; the oldest goes first. */
const MAX_ADDED_NOTES = 100;
const MAX_NOTE_LENGTH = 280;

interface NoteRecord {
  readonly __typename: 'PublicNote';
  readonly id: string;
  readonly text: string;
}

/**
 * Resolvers of the example API (`schema/example.graphql`). They contain no
 * authorization code at all: every check comes from the schema's directives.
 * Each call returns its own store, so two servers never share state.
 */
export function createExampleResolvers() {
  const notes = new Map([
    ['n1', { __typename: 'PublicNote', id: 'n1', text: 'Welcome to claimgate.' }],
    ['n2', { __typename: 'PublicNote', id: 'n2', text: 'Directives guard every path.' }],
  ]);
  const documents = new Map<string, DocumentRecord>([
    ['d1', { id: 'd1', title: 'Quarterly plan' }],
    ['d2', { id: 'd2', title: 'Salary bands' }],
  ]);
  const users = new Map([
    ['u1', { id: 'u1', name: 'Ada', email: 'ada@example.com' }],
    ['u2', { id: 'u2', name: 'Grace', email: 'grace@example.com' }],
  ]);
  // Events of this store only: two servers never share them either.
  const pubsub = createPubSub<{ 'note:added': [note: NoteRecord]; 'document:changed': [id: string, document: DocumentRecord] }>();
  let addedNotes = 0;
  const drafts = new Map([
    ['r1', { __typename: 'Draft', id: 'r1', title: "Alice's draft", ownerId: 'alice' }],
    ['r2', { __typename: 'Draft', id: 'r2', title: "Bob's draft", ownerId: 'bob' }],
  ]);
  const manyDocuments = Array.from({ length: MAX_DOCUMENTS }, (_, i) => ({ id: `doc-${i}`, title: `Document ${i}` }));

  return {
    Query: {
      publicInfo: () => 'claimgate example API',
      me: (_: unknown, __: unknown, context: ExampleContext) => context.principal,
      adminReport: () => 'All systems nominal.',
      secretOfTheDay: () => ({ value: 'The cake is in the fridge.' }),
      node: (_: unknown, args: { id: string }) => notes.get(args.id) ?? drafts.get(args.id) ?? documentNode(documents.get(args.id)),
      search: () => [notes.get('n1'), documentNode(documents.get('d1')), notes.get('n2')],
      verifiedNote: () => 'Thanks for verifying your email.',
      scopedReport: () => 'Report: 42 widgets.',
      documents: (_: unknown, args: { limit: number }) =>
        manyDocuments.slice(0, Math.max(0, Math.min(args.limit, MAX_DOCUMENTS))),
      user: (_: unknown, args: { id: string }) => users.get(args.id) ?? null,
      drafts: () => [...drafts.values()],
    },
    Mutation: {
      renameDocument: (_: unknown, args: { id: string; title: string }) => {
        const document = documents.get(args.id);
        if (document === undefined) return null;
        document.title = args.title;
        pubsub.publish('document:changed', document.id, { ...document });
        return document;
      },
      addNote: (_: unknown, args: { text: string }) => {
        const note: NoteRecord = { __typename: 'PublicNote', id: `note-${++addedNotes}`, text: args.text.slice(0, MAX_NOTE_LENGTH) };
        notes.set(note.id, note);
        if (notes.size > MAX_ADDED_NOTES + 2) notes.delete(`note-${addedNotes - MAX_ADDED_NOTES}`);
        pubsub.publish('note:added', note);
        return note;
      },
    },
    Subscription: {
      noteAdded: {
        subscribe: () => pubsub.subscribe('note:added'),
        resolve: (note: NoteRecord) => note,
      },
      documentChanged: {
        subscribe: (_: unknown, args: { id: string }) => pubsub.subscribe('document:changed', args.id),
        resolve: (document: DocumentRecord) => document,
      },
    },
    Viewer: {
      sub: (principal: Principal) => principal.subject,
      issuer: (principal: Principal) => principal.issuer,
      roles: (principal: Principal) => principal.roles,
      scopes: (principal: Principal) => principal.scopes,
    },
    Node: {
      __resolveType: (node: { __typename?: string }) => node.__typename ?? 'Document',
    },
    SearchResult: {
      __resolveType: (node: { __typename?: string }) => node.__typename ?? 'Document',
    },
    Document: {
      __resolveReference: (reference: { id: string }) => documents.get(reference.id) ?? null,
      author: () => users.get('u1'),
    },
    Draft: {
      __resolveReference: (reference: { id: string }) => drafts.get(reference.id) ?? null,
    },
    User: {
      __resolveReference: (reference: { id: string }) => users.get(reference.id) ?? null,
    },
  };
}

function documentNode(document: DocumentRecord | undefined) {
  return document === undefined ? null : { __typename: 'Document', ...document };
}
