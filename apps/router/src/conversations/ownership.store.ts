import { Inject, Injectable } from '@nestjs/common';
import {
  CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository, OWNERSHIP_REPOSITORY, OwnershipClaimDoc, OwnershipRepository,
} from '@omni/persistence';
import type { Ownership } from '@omni/routing';
import { ownershipFields, ownershipOf } from './ownership.mapper';

export interface CurrentOwnership {
  readonly ownership: Ownership;
  /** The entry that made it so; null while the bot still holds the conversation as opened. */
  readonly entry: OwnershipClaimDoc | null;
}

export type ClaimExtras = Pick<OwnershipClaimDoc, 'cause'> & Partial<Pick<OwnershipClaimDoc, 'queue' | 'routing' | 'handoff'>>;

/**
 * Who owns a conversation, decided by inserting `<conversationId>:<version>` into
 * conversation_ownership: of any number of racing routers exactly one insert succeeds (a unique
 * key; no transactions and no atomic read-modify-write needed). The conversation document carries
 * a copy of the latest entry for list queries, repaired whenever a reader finds it behind.
 */
@Injectable()
export class OwnershipStore {
  constructor(
    @Inject(OWNERSHIP_REPOSITORY) private readonly claims: OwnershipRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
  ) {}

  /** A conversation's ownership before any entry: the bot's, since it opened. */
  static opened(c: ConversationDoc): Ownership {
    return { state: 'bot', version: 0, since: c.createdAt };
  }

  async current(c: ConversationDoc): Promise<CurrentOwnership> {
    const entry = await this.latestEntry(c);
    if (!entry) return { ownership: OwnershipStore.opened(c), entry: null };
    if (c.version < entry.version) await this.project(c._id, entry);
    return { ownership: ownershipOf(entry, c.createdAt), entry };
  }

  /**
   * The newest entry of the log, found by key: versions are contiguous (each commit inserts the read
   * version + 1) and the conversation's copy is never ahead of the log, so probing `<id>:<v+1>` from
   * the copy reads one or two documents by `_id` — where a query by conversation would scan the
   * collection on FerretDB (ADR 0006). A copy whose entry is missing falls back to that query.
   */
  private async latestEntry(c: ConversationDoc): Promise<OwnershipClaimDoc | null> {
    let entry = c.version > 0 ? await this.claims.get(c._id, c.version) : null;
    if (c.version > 0 && !entry) return this.claims.latest(c._id);
    for (;;) {
      const next = await this.claims.get(c._id, (entry?.version ?? 0) + 1);
      if (!next) return entry;
      entry = next;
    }
  }

  /** Has anyone moved the conversation past `version` (the bot's gate before it speaks)? */
  async changedSince(conversationId: string, version: number): Promise<boolean> {
    return (await this.claims.get(conversationId, version + 1)) !== null;
  }

  /**
   * Claims `next` (whose version is the read one + 1). Returns the entry, or null when another cause
   * claimed that version first; a retry of the same cause gets its own earlier entry back.
   */
  async commit(c: ConversationDoc, next: Ownership, extras: ClaimExtras, at = new Date()): Promise<OwnershipClaimDoc | null> {
    const entry: OwnershipClaimDoc = {
      ...ownershipFields(next).set, ...extras, _id: `${c._id}:${next.version}`, tenantId: c.tenantId, conversationId: c._id, version: next.version, since: next.since, at,
    };
    if (!(await this.claims.claim(entry))) {
      const existing = await this.claims.get(c._id, next.version);
      if (existing?.cause !== extras.cause) return null;
      await this.project(c._id, existing);
      return existing;
    }
    await this.project(c._id, entry);
    return entry;
  }

  /** Copies the entry onto the conversation; checks it stuck, since FerretDB may lose a racing write. */
  private async project(id: string, entry: OwnershipClaimDoc): Promise<void> {
    const { unset } = ownershipFields(ownershipOf(entry, entry.since));
    const { _id: _id, conversationId: _c, tenantId: _t, cause: _cause, at: _at, version, ...fields } = entry;
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.conversations.applyOwnership(id, version, fields, unset);
      const stored = await this.conversations.get(id);
      if (!stored || stored.version >= version) return;
    }
  }
}
