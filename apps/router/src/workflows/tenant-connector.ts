import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { NotFoundError, OmniError, ValidationError, parse } from '@omni/contracts';
import {
  TENANT_CONNECTOR_REPOSITORY, TENANT_DIRECTORY, tenantConnectorAad, type ConnectorSecrets, type TenantConnectorDoc, type TenantConnectorRepository, type TenantDirectory,
} from '@omni/persistence';
import { Envelopes } from '@omni/secrets';
import { ConnectorUrlGuard } from './connector-url-guard';

/** `PUT /v1/tenants/{tenantId}/connector`: where the tenant's connector is and the secret it shares with the router. */
export const ConnectorBody = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).max(2_048),
  /** Write-only. Required the first time; a new value rotates (the previous one is still sent for `overlapHours`). */
  signingSecret: z.string().min(32, 'at least 32 characters (e.g. 32 random bytes, hex or base64)').max(256).optional(),
  /** How long the previous secret is still sent beside the new one after a rotation; 0 = drop it at once. */
  overlapHours: z.number().int().min(0).max(168).default(24),
}).strict();

/** What the API shows of a connector: never a secret, only whether one is set and its fingerprint. */
export interface ConnectorView {
  tenantId: string;
  baseUrl: string;
  signingSecret: { set: true; fingerprint: string };
  /** The secret still sent beside the current one during a rotation, until `acceptedUntil`. */
  previousSecret?: { fingerprint: string; acceptedUntil: Date };
  updatedBy: string;
  updatedAt: Date;
}

/**
 * A short public name of a secret: the first 16 hex digits of a SHA-256 under a fixed label. Secrets are
 * at least 32 characters, so it names one without giving a dictionary anything to test against cheaply
 * that the signatures on the wire do not give already.
 */
export function secretFingerprint(secret: string): string {
  return createHash('sha256').update(`omni-connector-secret\n${secret}`).digest('hex').slice(0, 16);
}

export function connectorView(d: TenantConnectorDoc, now = new Date()): ConnectorView {
  const previous = d.previousFingerprint && d.previousUntil && d.previousUntil > now ? { previousSecret: { fingerprint: d.previousFingerprint, acceptedUntil: d.previousUntil } } : {};
  return { tenantId: d.tenantId, baseUrl: d.baseUrl, signingSecret: { set: true, fingerprint: d.fingerprint }, ...previous, updatedBy: d.updatedBy, updatedAt: d.updatedAt };
}

/**
 * Sets or changes a tenant's connector (ADR 0226, "a secret per tenant"). The secret is sealed with the
 * KEK (libs/secrets) under the tenant's AAD and never returned; a new secret keeps the old one as
 * `previous` for the overlap, so the router signs with both until the connector has switched. The write
 * is conditional on the envelope read: of two admins rotating at once the second is a 409, not a
 * silently dropped secret. The URL must pass the SSRF guard (ADR 0220): a 400 naming `baseUrl`.
 */
@Injectable()
export class SetTenantConnectorUseCase {
  constructor(
    @Inject(TENANT_CONNECTOR_REPOSITORY) private readonly connectors: TenantConnectorRepository,
    @Inject(TENANT_DIRECTORY) private readonly tenants: TenantDirectory,
    private readonly envelopes: Envelopes,
    private readonly guard: ConnectorUrlGuard,
  ) {}

  async execute(tenantId: string, body: unknown, by: string, now = new Date()): Promise<ConnectorView> {
    const input = parse(ConnectorBody, body, 'body');
    if (!(await this.tenants.get(tenantId))) throw new NotFoundError(`tenant ${tenantId}`);
    // SSRF (ADR 0220): no URL the router would call into its own network; checked again on every call.
    await this.guard.checkAtSave(input.baseUrl, 'baseUrl');
    const existing = await this.connectors.get(tenantId);
    const aad = tenantConnectorAad(tenantId);
    if (!existing && !input.signingSecret) throw new ValidationError('invalid body', [{ path: 'signingSecret', message: 'required when the connector is first set' }]);
    const old = existing ? await this.envelopes.open<ConnectorSecrets>(existing.secrets, aad) : undefined;
    const previousStill = existing?.previousUntil && existing.previousUntil > now ? old?.previous : undefined;
    let secrets: ConnectorSecrets;
    let previousUntil: Date | undefined;
    if (!input.signingSecret || input.signingSecret === old?.current) {
      // Only the URL (or nothing) changes: the rotation in progress, if any, goes on as it was.
      secrets = { current: old?.current ?? input.signingSecret ?? '', ...(previousStill ? { previous: previousStill } : {}) };
      previousUntil = previousStill ? existing?.previousUntil : undefined;
    } else {
      const keep = old && input.overlapHours > 0;
      secrets = { current: input.signingSecret, ...(keep ? { previous: old.current } : {}) };
      previousUntil = keep ? new Date(now.getTime() + input.overlapHours * 3_600_000) : undefined;
    }
    const doc: TenantConnectorDoc = {
      _id: tenantId, tenantId, baseUrl: input.baseUrl, secrets: await this.envelopes.seal(secrets, aad), fingerprint: secretFingerprint(secrets.current),
      ...(secrets.previous && previousUntil ? { previousFingerprint: secretFingerprint(secrets.previous), previousUntil } : {}),
      updatedBy: by, createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    if (!(await this.connectors.replace(doc, existing?.secrets ?? null))) {
      throw new OmniError('conflict', 'signingSecret: the connector was changed meanwhile; read it again and retry', false);
    }
    return connectorView(doc, now);
  }
}

/** Where to call a tenant's connector and what to sign with. */
export interface ConnectorTarget {
  readonly baseUrl: string;
  /** Current first; the previous one during a rotation's overlap; empty = unsigned (env fallback without a secret). */
  readonly signingSecrets: readonly string[];
}

const TTL_MS = 10_000;

/**
 * A tenant's own connector, its secrets opened, cached 10 s per replica (read on every triggered
 * workflow; a rotation reaches every replica within that). Null when the tenant has none.
 */
@Injectable()
export class TenantConnectors {
  private readonly cache = new Map<string, { at: number; value: ConnectorTarget | null }>();

  constructor(
    @Inject(TENANT_CONNECTOR_REPOSITORY) private readonly connectors: TenantConnectorRepository,
    private readonly envelopes: Envelopes,
  ) {}

  async of(tenantId: string, now = Date.now()): Promise<ConnectorTarget | null> {
    const hit = this.cache.get(tenantId);
    if (hit && now - hit.at < TTL_MS) return hit.value;
    const doc = await this.connectors.get(tenantId);
    let value: ConnectorTarget | null = null;
    if (doc) {
      const s = await this.envelopes.open<ConnectorSecrets>(doc.secrets, tenantConnectorAad(tenantId));
      const previous = s.previous && doc.previousUntil && doc.previousUntil.getTime() > now ? [s.previous] : [];
      value = { baseUrl: doc.baseUrl, signingSecrets: [s.current, ...previous] };
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { at: now, value });
    return value;
  }

  forget(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
