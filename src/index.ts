// The package entry point: the library only, re-exports only. The app (server,
// dev issuer, example API) is `claimgate/server`.
export { DEFAULTS } from './config/defaults.ts';
export { ConfigError } from './config/config-error.ts';
export { ClaimgateError, CLAIMGATE_ERROR_CODES, hasClaimgateCode, type ClaimgateErrorCode } from './claimgate-error.ts';
export { createIssuerConfig, type RawIssuer, type IssuerConfig } from './verification/issuer-config.ts';
export { extractCredentials, type Credentials, type CredentialSource } from './credentials/extract-credentials.ts';
export { FetchFailedError } from './keys/fetch-bounded.ts';
export { JwksCache, type JwksCacheOptions } from './keys/jwks-cache.ts';
export { KeysUnavailableError } from './keys/keys-unavailable-error.ts';
export { TokenVerifier, type TokenVerifierOptions, type VerifierStats } from './verification/token-verifier.ts';
export { TokenRejectedError, REJECTION_REASONS, type RejectionReason } from './verification/token-rejected-error.ts';
export { createPrincipal, type Principal } from './principal/principal.ts';
export { createAuthContext, type AuthContext, type AuthContextOptions } from './context/create-auth-context.ts';
export { authDirectiveTypeDefs, apolloAuthorizationTypeDefs } from './directives/type-defs.ts';
export { authDirectiveTransformer, type AuthMode, type AuthTransformerOptions } from './directives/auth-directive-transformer.ts';
export type { Enforcement } from './directives/auth-runtime.ts';
export { useAuthFastPath } from './directives/use-auth-fast-path.ts';
export { makeAuthSchema, type MakeAuthSchemaOptions } from './directives/make-auth-schema.ts';
export { assertDirectivePlacement, assertTypeDefsPlacement } from './directives/assert-directive-placement.ts';
export { AuthSchemaError } from './directives/auth-schema-error.ts';
export { protectionReport, type ProtectionReport, type ProtectionReportEntry } from './directives/protection-report.ts';
export type { Policy, PolicyInput, PolicyRegistry } from './directives/policy.ts';
export type { AuditStats, WouldDenyCount } from './plugin/create-authz-runtimes.ts';
export { ERROR_CODES, type ErrorCode } from './errors.ts';
export { useClaimgate, type ClaimgateOptions, type ClaimgatePlugin } from './plugin/use-claimgate.ts';
export { attachWebSockets, WS_CLOSE_CODES, type WebSocketTransport } from './plugin/attach-web-sockets.ts';
export type { SubscriptionBounds } from './plugin/use-claimgate.ts';
export type { StreamStats } from './plugin/token-lifetime.ts';
export { useOperationLimits } from './limits/use-operation-limits.ts';
export { normalizeLimits, type OperationLimits } from './limits/operation-limits.ts';
export { estimateCost, type CostModel } from './limits/estimate-cost.ts';
export { silentLogger, type Logger } from './telemetry/log.ts';
export { createPinoLogger, loggerFromPino, LOG_LEVELS, REDACTED_PATHS, type LogLevel, type PinoLoggerOptions } from './telemetry/pino-logger.ts';
export { ClaimgateMetrics, type ClaimgateMetricsOptions } from './plugin/claimgate-metrics.ts';
export {
  noopMetrics,
  KEY_FETCH_RESULTS,
  DENIAL_CODES,
  LIMIT_NAMES,
  SUBSCRIPTION_END_REASONS,
  type MetricsRecorder,
  type KeyFetchResult,
  type DenialCode,
  type LimitName,
  type SubscriptionEndReason,
  type VerificationOutcome,
} from './telemetry/metrics-recorder.ts';
