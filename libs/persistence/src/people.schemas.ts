import { Schema } from 'mongoose';

/** The roles a person may hold (a `service` is an integration: API keys only, ADR 0610). */
export const PERSON_ROLES = ['admin', 'supervisor', 'agent'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** A person of a tenant who signs in with a password (ADR 0610). */
export interface PersonDoc {
  /** Public id. */
  _id: string;
  tenantId: string;
  /** Lower-cased; one per tenant (unique index). */
  email: string;
  name: string;
  role: PersonRole;
  /** The agent this person acts as (required for role agent). */
  agentId?: string;
  /** `scrypt$N$r$p$salt$hash` (libs/auth password.ts); never returned by the API. */
  passwordHash: string;
  createdAt: Date;
}

export const PersonSchema = new Schema<PersonDoc>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    email: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: PERSON_ROLES, required: true },
    agentId: String,
    passwordHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'people' },
);
// Sign-in finds a person by (tenant, email); one email per tenant.
PersonSchema.index({ tenantId: 1, email: 1 }, { unique: true });

/** A signed-in person's session: both tokens stored only as their SHA-256 (ADR 0610). */
export interface SessionDoc {
  /** SHA-256 of the access token: the lookup of every request made with it. */
  _id: string;
  /** SHA-256 of the refresh token (unique): refreshing deletes the session found by it and issues a new one. */
  refreshHash: string;
  tenantId: string;
  personId: string;
  name: string;
  role: PersonRole;
  agentId?: string;
  expiresAt: Date;
  refreshExpiresAt: Date;
  createdAt: Date;
}

export const SessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    refreshHash: { type: String, required: true },
    tenantId: { type: String, required: true },
    personId: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: PERSON_ROLES, required: true },
    agentId: String,
    expiresAt: { type: Date, required: true },
    refreshExpiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'sessions' },
);
SessionSchema.index({ refreshHash: 1 }, { unique: true });
// Ending a removed person's sessions.
SessionSchema.index({ tenantId: 1, personId: 1 });
