import type { AiResult, ConversationFacts } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';

/** What the AI request carries of the conversation, for the reply step to answer without reading it back. */
export function conversationFacts(
  c: ConversationDoc, opened: boolean, inbound?: { channelMessageId: string; at: Date }, bot?: { version: number; since: Date }, fresh = false,
): ConversationFacts {
  return {
    ...(fresh ? { fresh: true as const } : {}),
    ...(bot ? { bot: { version: bot.version, since: bot.since.toISOString() } } : {}),
    ...(opened ? { opened: true } : {}),
    ...(inbound ? { inboundChannelMessageId: inbound.channelMessageId, inboundAt: inbound.at.toISOString() } : {}),
    customerId: c.customerId,
    channelUserId: c.channelUserId,
    state: c.state,
    createdAt: c.createdAt.toISOString(),
    version: c.version,
    ...(c.turnsEpoch ? { turnsEpoch: c.turnsEpoch } : {}),
    ...(c.language ? { language: c.language } : {}),
    ...(c.experiments?.length ? { experiments: c.experiments.map((e) => ({ experimentId: e.experimentId, variantId: e.variantId, params: { ...e.params } })) } : {}),
  };
}

/**
 * The conversation as the inbound step saw it, from the facts an AI result hands back: the fields
 * the bot's reply uses (scope, recipient, creation time, ownership copy's version, language, flow
 * variants). Not the whole document: whoever needs the ownership fields or the handoff summary reads
 * the conversation itself, and ownership is always read from its log.
 */
export function conversationFromResult(r: AiResult, facts: ConversationFacts): ConversationDoc {
  const createdAt = new Date(facts.createdAt);
  return {
    _id: r.conversationId,
    tenantId: r.tenantId,
    region: r.region,
    channel: r.channel,
    accountId: r.accountId,
    customerId: facts.customerId,
    channelUserId: facts.channelUserId,
    state: facts.state,
    createdAt,
    updatedAt: createdAt,
    lastMessageAt: createdAt,
    version: facts.version,
    ...(facts.turnsEpoch ? { turnsEpoch: facts.turnsEpoch } : {}),
    ...(facts.language ? { language: facts.language } : {}),
    ...(facts.experiments ? { experiments: facts.experiments } : {}),
  };
}
