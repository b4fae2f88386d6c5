import { Channel } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';
import type { ConversationEvents } from '../conversations/conversation-events';

/** The conversation event of a manual owner change, with an id derived from the ownership version (a retry re-produces the same record). */
export function announceOwner(events: ConversationEvents, c: ConversationDoc, version: number, kind: 'assigned' | 'state_changed', reason: string, at: Date): Promise<void> {
  const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
  return events.emit({ ...scoped, kind, state: kind === 'assigned' ? 'assigned' : 'queued', reason, at: at.toISOString() }, `${c._id}:${version}`);
}
