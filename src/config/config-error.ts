import { ClaimgateError, CLAIMGATE_ERROR_CODES } from '../claimgate-error.ts';

/**
 * A configuration mistake, found at start-up. `variable` names what to fix
 * (an environment variable, or a file and field); the message says how.
 */
export class ConfigError extends ClaimgateError {
  static override readonly code = CLAIMGATE_ERROR_CODES.CONFIG;
  override readonly code = ConfigError.code;
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}
