import { OmniError } from '@omni/contracts';

/** A webhook whose signature or secret is missing or wrong: answer 401/403 and produce nothing. */
export class SignatureError extends OmniError {
  constructor(reason: string) {
    super('signature_invalid', reason, false);
  }
}
