import { OmniError } from '@omni/contracts';

/** A webhook whose signature or secret is missing or wrong: answer 401/403 and produce nothing. */
export class SignatureError extends OmniError {
  constructor(reason: string) {
    super('signature_invalid', reason, false);
  }
}

/** The `failed` status error of a typed send error: the provider's code and reason when known. */
export function failedStatusError(err: OmniError): { code: string; reason: string; retryable: boolean } {
  const d = err.details ?? {};
  return {
    code: typeof d.providerCode === 'string' ? d.providerCode : err.code,
    reason: typeof d.reason === 'string' ? d.reason : err.message,
    retryable: err.retryable,
  };
}
