import type { ConversationDoc, MessageDoc, OwnershipClaimDoc } from '@omni/persistence';
import type { ConversationRecord } from '@omni/routing';

/** A takeover or transfer without the bot's handoff rules: an agent or supervisor chose to step in. */
export const AGENT_TAKEOVER = 'agent_takeover';

export type Response = Pick<MessageDoc, 'author' | 'timestamp'>;

/**
 * One stored conversation as the reports see it (libs/routing `aggregateMetrics`). The ownership log
 * says when it was handed off and resolved (the first time: a reopened conversation keeps its first
 * outcome), the outbound messages when the bot and an agent first answered. A handed-off conversation
 * carries the resolution SLA of the group that served it (`resolutionTargetOf`, ADR 0602).
 */
export function conversationRecord(
  c: ConversationDoc, entries: readonly OwnershipClaimDoc[], responses: readonly Response[], resolutionTargetOf: (groupId: string) => number | undefined = () => undefined,
): ConversationRecord {
  const log = [...entries].sort((a, b) => a.version - b.version);
  const resolved = log.find((e) => e.state === 'resolved');
  const beforeResolution = resolved ? log.filter((e) => e.version < resolved.version) : log;
  const handoffs = beforeResolution.filter((e) => e.state === 'queued' || e.state === 'assigned');
  const served = [...handoffs].reverse().find((e) => e.groupId);
  const reasons = handoffs.flatMap((e) => e.handoff?.reasons.map((r) => r.code) ?? []);
  const first = (kinds: readonly string[]) =>
    responses.filter((m) => kinds.includes(m.author.kind)).map((m) => new Date(m.timestamp)).sort((a, b) => a.getTime() - b.getTime())[0];
  const handedOffAt = handoffs[0]?.at;
  const agentReply = first(['agent']);
  const target = served?.groupId && handedOffAt ? resolutionTargetOf(served.groupId) : undefined;
  return {
    conversationId: c._id,
    channel: c.channel,
    language: c.language ?? 'unknown',
    ...(served?.groupId ? { groupId: served.groupId } : {}),
    startedAt: c.createdAt,
    ...(optional('firstResponseAt', first(['bot', 'agent']))),
    ...(optional('handedOffAt', handedOffAt)),
    ...(optional('firstAgentResponseAt', agentReply && (!handedOffAt || agentReply >= handedOffAt) ? agentReply : undefined)),
    ...(optional('resolvedAt', resolved?.at)),
    ...(target !== undefined ? { resolutionTargetSeconds: target } : {}),
    handedOff: handoffs.length > 0,
    handoffReasons: handoffs.length > 0 && reasons.length === 0 ? [AGENT_TAKEOVER] : [...new Set(reasons)],
    ...(c.csat?.score !== undefined ? { csat: c.csat.score } : {}),
  };
}

function optional<K extends string>(key: K, value: Date | undefined): Partial<Record<K, Date>> {
  return value ? ({ [key]: value } as Record<K, Date>) : {};
}
