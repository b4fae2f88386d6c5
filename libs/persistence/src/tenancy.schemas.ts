import { Schema } from 'mongoose';
import type { Envelope } from '@omni/secrets';
import { CHANNELS, type Channel } from '@omni/contracts';

/**
 * One connected account of a channel (a WhatsApp number, a page, a bot, a mailbox, a web widget),
 * owned by one tenant. Secrets (tokens, app secrets, passwords) live only in `secrets`, encrypted
 * (ADR 0600); `settings` holds what may be shown (WABA id, allowed origins, SMTP host...).
 */
export interface ChannelAccountDoc {
  _id: string;
  tenantId: string;
  channel: Channel;
  /** The provider's id of the account: phone_number_id, page id, bot id, mailbox address, widget public id. */
  externalId: string;
  name?: string;
  settings: Record<string, unknown>;
  secrets?: Envelope;
  /** Who connected it: `api:<key name>` or `bootstrap (env)`. */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  credentialsUpdatedAt?: Date;
}

/** The AAD of an account's sealed credentials: its id, so an envelope copied onto another account does not open. */
export function channelAccountAad(accountId: string): string {
  return `channel-account:${accountId}`;
}

export const ChannelAccountSchema = new Schema<ChannelAccountDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    externalId: { type: String, required: true },
    name: String,
    settings: { type: Schema.Types.Mixed, default: {} },
    secrets: Schema.Types.Mixed,
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    credentialsUpdatedAt: Date,
  },
  { versionKey: false, collection: 'channel_accounts', minimize: false },
);
// A webhook item's account → its tenant; unique: one number/page/bot/address is connected once, across all tenants (409 otherwise).
ChannelAccountSchema.index({ channel: 1, externalId: 1 }, { unique: true });
// A tenant's accounts (listing).
ChannelAccountSchema.index({ tenantId: 1, createdAt: 1 });
// Envelopes still wrapped by an old KEK (rewrap after a rotation).
ChannelAccountSchema.index({ 'secrets.key.kekId': 1 });

/**
 * A tenant's workflow connector (ADR 0226, "a secret per tenant"): where the router calls the company's
 * systems, and the secret(s) it signs those calls with, sealed together in one envelope — `{current,
 * previous?}` — never returned. During a rotation the previous secret is still sent (a second
 * signature) until `previousUntil`. Fingerprints say which secret is which without revealing it.
 */
export interface TenantConnectorDoc {
  /** The tenant id: one connector per tenant. */
  _id: string;
  tenantId: string;
  baseUrl: string;
  secrets: Envelope;
  fingerprint: string;
  previousFingerprint?: string;
  previousUntil?: Date;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the connector's envelope holds. */
export interface ConnectorSecrets {
  current: string;
  previous?: string;
}

/** The AAD of a tenant connector's envelope: an envelope copied onto another tenant's connector does not open. */
export function tenantConnectorAad(tenantId: string): string {
  return `tenant-connector:${tenantId}`;
}

export const TenantConnectorSchema = new Schema<TenantConnectorDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    baseUrl: { type: String, required: true },
    secrets: { type: Schema.Types.Mixed, required: true },
    fingerprint: { type: String, required: true },
    previousFingerprint: String,
    previousUntil: Date,
    updatedBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'tenant_connectors', minimize: false },
);
// Envelopes still wrapped by an old KEK (rewrap after a rotation).
TenantConnectorSchema.index({ 'secrets.key.kekId': 1 });
