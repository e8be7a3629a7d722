import { parse, type GraphQLSchema } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { authDirectiveTransformer } from '../../src/directives/auth-directive-transformer.ts';
import { authDirectiveTypeDefs } from '../../src/directives/type-defs.ts';

/**
 * A second, small subgraph that extends the example's User and Document, as
 * another team would write it: the same @link and @composeDirective lines,
 * claimgate's definitions, and its own requirements on the fields it owns.
 * It runs claimgate too, because each subgraph guards the fields it resolves.
 */
export const reviewsTypeDefs = `${authDirectiveTypeDefs}
extend schema
  @link(
    url: "https://specs.apollo.dev/federation/v2.5"
    import: ["@key", "@authenticated", "@requiresScopes", "@composeDirective"]
  )
  @link(
    url: "https://claimgate.dev/auth/v0.1"
    import: ["@auth", "@hasRole", "@hasAnyRole", "@hasScope", "@hasClaim", "@public", "ClaimValue"]
  )
  @composeDirective(name: "@auth")
  @composeDirective(name: "@hasRole")
  @composeDirective(name: "@hasAnyRole")
  @composeDirective(name: "@hasScope")
  @composeDirective(name: "@hasClaim")
  @composeDirective(name: "@public")

type Review @key(fields: "id") {
  id: ID!
  stars: Int!
  author: User!
  document: Document
}

type User @key(fields: "id") {
  id: ID!
  "Nullable, so a denial nulls only this field (not the whole User) behind a gateway."
  reviews: [Review!] @authenticated
}

type Document @key(fields: "id") {
  id: ID!
  reviews: [Review!] @hasRole(role: "editor")
}

type Query {
  latestReviews: [Review!]!
}
`;

interface ReviewRecord {
  readonly id: string;
  readonly stars: number;
  readonly authorId: string;
  readonly documentId: string;
}

const REVIEWS: readonly ReviewRecord[] = [
  { id: 'r1', stars: 5, authorId: 'u1', documentId: 'd1' },
  { id: 'r2', stars: 3, authorId: 'u2', documentId: 'd1' },
];

/** The reviews subgraph, built like the example: buildSubgraphSchema, then the auth transformer, last. */
export function createReviewsSchema(): GraphQLSchema {
  const toReview = (review: ReviewRecord) => ({
    id: review.id,
    stars: review.stars,
    author: { __typename: 'User', id: review.authorId },
    document: { __typename: 'Document', id: review.documentId },
  });
  const resolvers = {
    Query: { latestReviews: () => REVIEWS.map(toReview) },
    Review: { __resolveReference: (ref: { id: string }) => REVIEWS.map(toReview).find((r) => r.id === ref.id) ?? null },
    User: { reviews: (user: { id: string }) => REVIEWS.filter((r) => r.authorId === user.id).map(toReview) },
    Document: { reviews: (document: { id: string }) => REVIEWS.filter((r) => r.documentId === document.id).map(toReview) },
  };
  const subgraph = buildSubgraphSchema({ typeDefs: parse(reviewsTypeDefs), resolvers: resolvers as never });
  return authDirectiveTransformer(subgraph);
}
