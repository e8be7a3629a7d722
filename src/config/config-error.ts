/**
 * A configuration mistake, found at start-up. `variable` names what to fix
 * (an environment variable, or a file and field); the message says how.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}
