import type { Ownership } from '@omni/routing';
import type { ConversationDoc } from '@omni/persistence';

/** The ownership fields shared by a conversation and its entries in conversation_ownership. */
export type OwnershipFields = Pick<ConversationDoc, 'state' | 'version' | 'since' | 'groupId' | 'agentId' | 'firstQueuedAt' | 'queueReason' | 'resolvedBy'>;

/** Stored fields as the state machine's value (docs/adr/0200, decision 2). */
export function ownershipOf(c: OwnershipFields, openedAt: Date): Ownership {
  const since = c.since ?? openedAt;
  switch (c.state) {
    case 'bot':
      return { state: 'bot', version: c.version, since };
    case 'queued':
      return { state: 'queued', version: c.version, since, firstQueuedAt: c.firstQueuedAt ?? since, groupId: c.groupId ?? '', reason: c.queueReason ?? '' };
    case 'assigned':
      return { state: 'assigned', version: c.version, since, agentId: c.agentId ?? '', groupId: c.groupId ?? '' };
    case 'resolved':
      return { state: 'resolved', version: c.version, since, resolvedBy: c.resolvedBy ?? 'system', ...(c.agentId ? { agentId: c.agentId } : {}) };
  }
}

export interface OwnershipWrite {
  set: Partial<ConversationDoc> & Pick<ConversationDoc, 'state'>;
  unset: (keyof ConversationDoc)[];
}

/** The $set/$unset that persist `o` (the version is written by the caller). */
export function ownershipFields(o: Ownership): OwnershipWrite {
  switch (o.state) {
    case 'bot':
      return { set: { state: 'bot', since: o.since }, unset: ['groupId', 'agentId', 'firstQueuedAt', 'queueReason', 'queue', 'resolvedBy'] };
    case 'queued':
      return { set: { state: 'queued', since: o.since, groupId: o.groupId, firstQueuedAt: o.firstQueuedAt, queueReason: o.reason }, unset: ['agentId', 'resolvedBy'] };
    case 'assigned':
      return { set: { state: 'assigned', since: o.since, groupId: o.groupId, agentId: o.agentId }, unset: ['queue', 'queueReason', 'resolvedBy'] };
    case 'resolved':
      // The agent who served stays on a resolved conversation (sticky routing, reports, CSAT per agent).
      return o.agentId
        ? { set: { state: 'resolved', since: o.since, resolvedBy: o.resolvedBy, agentId: o.agentId }, unset: ['queue', 'queueReason'] }
        : { set: { state: 'resolved', since: o.since, resolvedBy: o.resolvedBy }, unset: ['queue', 'queueReason', 'agentId'] };
  }
}
