/** Spec helpers of channel-email. */
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { EmailConfig, EmailConfigSchema } from './config';

/** A validated config from `env`, with the published demo KEK (what the test profile fills). */
export function anEmailConfig(env: Record<string, string>): EmailConfig {
  return EmailConfigSchema.parse({ SECRETS_KEK: DEMO_SECRETS_KEK, ...env });
}
