import { z } from 'zod';
import { MediaEnvShape } from '@omni/channel-kit';
import { InfraEnvSchema, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const EmailConfigSchema = InfraEnvSchema.extend({
  /** Seals an opted-in tenant's events with its conversations' keys and opens them (crypto-shredding, ADR 0501); the same KEKs as the router. */
  ...SecretsEnvShape,
  /** Media store and limits for attachments (ADR 0420); the bytes come with the mail, nothing is fetched. */
  ...MediaEnvShape,
  /** The mailbox: the account id, the only accepted recipient, and the From of replies. */
  EMAIL_ADDRESS: z.email().transform((v) => v.toLowerCase()),
  /** Display name in the From of replies. */
  EMAIL_FROM_NAME: z.string().min(1).max(100).default('Support'),
  // Inbound SMTP (the gateway as the last hop of an MTA route, or the MX itself).
  EMAIL_SMTP_PORT: z.coerce.number().int().min(0).max(65_535).default(2525),
  EMAIL_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
  /** Larger mails are refused with 552 before they are parsed. */
  EMAIL_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1_024).max(50 * 1_048_576).default(10 * 1_048_576),
  /** SMTP connections at once, in all and from one address (more get 421 and may come back later). */
  EMAIL_SMTP_MAX_CLIENTS: z.coerce.number().int().min(1).max(10_000).default(200),
  EMAIL_SMTP_MAX_CLIENTS_PER_IP: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Optional AUTH for the inbound hop (both or neither). */
  EMAIL_SMTP_AUTH_USER: z.string().min(1).optional(),
  EMAIL_SMTP_AUTH_PASS: z.string().min(8).optional(),
  /**
   * Forwarders (mailing lists, the tenant's own gateway) whose ARC seal is trusted to vouch for a
   * DMARC pass they saw before forwarding: a comma list of sealing domains. Empty: ARC counts for nothing.
   */
  EMAIL_TRUSTED_ARC_SEALERS: z.string().default('').transform((s) => s.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean)),
  /** Bounds the DKIM/SPF/DMARC/ARC check of one mail, DNS included; past it the sender is unverified. */
  EMAIL_AUTH_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(10_000),
  // Outbound relay ★.
  SMTP_HOST: z.string().min(1),
  SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
  SMTP_USER: z.string().min(1).optional(),
  SMTP_PASS: z.string().min(1).optional(),
  /** true = implicit TLS (port 465); false = STARTTLS when the relay offers it. */
  SMTP_SECURE: bool.default(false),
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(500).max(120_000).default(15_000),
  EMAIL_RATE_PER_SECOND: z.coerce.number().min(0.1).max(1_000).default(10),
  // Optional IMAP for hosted mailboxes (IDLE): on when EMAIL_IMAP_HOST is set.
  EMAIL_IMAP_HOST: z.string().min(1).optional(),
  EMAIL_IMAP_PORT: z.coerce.number().int().min(1).max(65_535).default(993),
  EMAIL_IMAP_SECURE: bool.default(true),
  EMAIL_IMAP_USER: z.string().min(1).optional(),
  EMAIL_IMAP_PASS: z.string().min(1).optional(),
  EMAIL_IMAP_MAILBOX: z.string().min(1).default('INBOX'),
}).refine((c) => Boolean(c.EMAIL_SMTP_AUTH_USER) === Boolean(c.EMAIL_SMTP_AUTH_PASS), {
  message: 'set both EMAIL_SMTP_AUTH_USER and EMAIL_SMTP_AUTH_PASS, or neither',
  path: ['EMAIL_SMTP_AUTH_USER'],
}).refine((c) => Boolean(c.SMTP_USER) === Boolean(c.SMTP_PASS), {
  message: 'set both SMTP_USER and SMTP_PASS, or neither',
  path: ['SMTP_USER'],
}).refine((c) => !c.EMAIL_IMAP_HOST || Boolean(c.EMAIL_IMAP_USER && c.EMAIL_IMAP_PASS), {
  message: 'EMAIL_IMAP_HOST needs EMAIL_IMAP_USER and EMAIL_IMAP_PASS',
  path: ['EMAIL_IMAP_USER'],
});
export type EmailConfig = z.output<typeof EmailConfigSchema>;
export const EMAIL_CONFIG = Symbol('EMAIL_CONFIG');

/** Harmless values for the local demo/test profiles only (a local relay such as MailHog/Mailpit). */
const DEMO = {
  EMAIL_ADDRESS: 'support@omni.local',
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: '1025',
  SECRETS_KEK: DEMO_SECRETS_KEK,
};

export function loadEmailConfig(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  return loadConfig('channel-email', EmailConfigSchema, DEMO, env);
}
