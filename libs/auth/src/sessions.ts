import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { OmniError } from '@omni/contracts';
import { PERSON_REPOSITORY, PersonDoc, PersonRepository, SESSION_REPOSITORY, SessionDoc, SessionRepository } from '@omni/persistence';
import { hashApiKey } from './api-key-secret';
import { ApiKeys } from './credentials';
import { spendPasswordTime, verifyPassword } from './password';

/** Prefixes of a person's tokens (the resolver tells them from API keys by it). */
export const ACCESS_PREFIX = 'oms_';
const REFRESH_PREFIX = 'omr_';
/** How long an access token works, and a refresh token can renew it (ADR 0610). */
export const ACCESS_TTL_MS = 15 * 60_000;
export const REFRESH_TTL_MS = 12 * 3_600_000;

export interface SessionTokens {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  person: { id: string; tenantId: string; name: string; role: PersonDoc['role']; agentId?: string };
}

const token = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;
const WRONG = 'wrong email or password';

/**
 * People signing in (ADR 0610): a password checked against its scrypt hash gives a pair of opaque
 * tokens stored as their SHA-256; the access token then works wherever an API key does (ApiKeys).
 */
@Injectable()
export class Sessions {
  constructor(
    @Inject(PERSON_REPOSITORY) private readonly people: PersonRepository,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    private readonly resolver: ApiKeys,
  ) {}

  async signIn(tenantId: string, email: string, password: string): Promise<SessionTokens> {
    const person = await this.people.byEmail(tenantId, email.trim().toLowerCase());
    if (!person) {
      await spendPasswordTime(password);
      throw new OmniError('unauthorized', WRONG, false);
    }
    if (!(await verifyPassword(password, person.passwordHash))) throw new OmniError('unauthorized', WRONG, false);
    return this.open({ tenantId: person.tenantId, personId: person._id, name: person.name, role: person.role, ...(person.agentId ? { agentId: person.agentId } : {}) });
  }

  /** Exchanges a refresh token for a new pair; the old pair stops working (one winner if raced). */
  async refresh(refreshToken: string): Promise<SessionTokens> {
    const old = await this.sessions.takeForRefresh(hashApiKey(refreshToken), new Date());
    if (!old) throw new OmniError('unauthorized', 'unknown or expired refresh token: sign in again', false);
    this.resolver.forget(old._id);
    return this.open({ tenantId: old.tenantId, personId: old.personId, name: old.name, role: old.role, ...(old.agentId ? { agentId: old.agentId } : {}) });
  }

  async signOut(accessToken: string): Promise<void> {
    const hash = hashApiKey(accessToken);
    await this.sessions.remove(hash);
    this.resolver.forget(hash);
  }

  /** Ends a removed person's sessions (on this replica at once, elsewhere within the cache time). */
  async endAll(tenantId: string, personId: string): Promise<void> {
    for (const hash of await this.sessions.removeOfPerson(tenantId, personId)) this.resolver.forget(hash);
  }

  private async open(who: Pick<SessionDoc, 'tenantId' | 'personId' | 'name' | 'role' | 'agentId'>): Promise<SessionTokens> {
    const accessToken = token(ACCESS_PREFIX);
    const refreshToken = token(REFRESH_PREFIX);
    const now = Date.now();
    const expiresAt = new Date(now + ACCESS_TTL_MS);
    const refreshExpiresAt = new Date(now + REFRESH_TTL_MS);
    await this.sessions.insert({ _id: hashApiKey(accessToken), refreshHash: hashApiKey(refreshToken), ...who, expiresAt, refreshExpiresAt });
    return {
      accessToken, expiresAt: expiresAt.toISOString(), refreshToken, refreshExpiresAt: refreshExpiresAt.toISOString(),
      person: { id: who.personId, tenantId: who.tenantId, name: who.name, role: who.role, ...(who.agentId ? { agentId: who.agentId } : {}) },
    };
  }
}

export const newPersonId = (): string => `p_${randomUUID()}`;
