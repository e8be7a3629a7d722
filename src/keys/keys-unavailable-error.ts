import { ClaimgateError, CLAIMGATE_ERROR_CODES } from '../claimgate-error.ts';

/** No usable keys are held for an issuer: the provider could not be reached. */
export class KeysUnavailableError extends ClaimgateError {
  static override readonly code = CLAIMGATE_ERROR_CODES.KEYS_UNAVAILABLE;
  override readonly code = KeysUnavailableError.code;
  override readonly name = 'KeysUnavailableError';

  constructor(readonly issuer: string) {
    super(`no keys are available for issuer ${issuer}`);
  }
}
