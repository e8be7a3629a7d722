/** No usable keys are held for an issuer: the provider could not be reached. */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError';
  readonly code = 'ERR_CLAIMGATE_KEYS_UNAVAILABLE';

  constructor(readonly issuer: string) {
    super(`no keys are available for issuer ${issuer}`);
  }
}
