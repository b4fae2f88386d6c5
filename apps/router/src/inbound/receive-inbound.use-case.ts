import { Inject, Injectable } from '@nestjs/common';
import { CloudEvent, InboundMessage, TOPICS, createEvent, derivedId } from '@omni/contracts';
import { EventPublisher, FRESH_LANE_MIN_BACKLOG } from '@omni/messaging';
import {
  CONVERSATION_REPOSITORY, CUSTOMER_REPOSITORY, ConversationRepository, CustomerRepository, MESSAGE_REPOSITORY, MessageRepository, customerKey,
} from '@omni/persistence';
import { botMayAnswer } from '@omni/routing';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { ConversationEvents } from '../conversations/conversation-events';
import { conversationFacts } from '../conversations/conversation-facts';
import { flowParams } from '../experiments/flow-experiments';
import { turnRole } from '../conversations/customer-messages';
import { ownershipOf } from '../conversations/ownership.mapper';
import { OwnershipStore } from '../conversations/ownership.store';
import { RegionDirectory } from '../regions/region-directory';
import { AfterResolution } from './after-resolution';
import { ConversationOpening } from './conversation-opening';
import { CustomerReactions } from './customer-reactions';

/**
 * Persists one inbound message exactly once and asks the AI worker about it while the bot owns the
 * conversation. Safe to run again for the same event: the insert dedupes on the deterministic id, and
 * a redelivery (only after a crash before the offset commit) re-publishes the AI request under the
 * same id; the reply's id is derived from the message, so it is still stored and sent once. Not
 * recording "AI requested" saves a database write per message on the hot path.
 */
@Injectable()
export class ReceiveInboundUseCase {
  constructor(
    @Inject(CUSTOMER_REPOSITORY) private readonly customers: CustomerRepository,
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly publisher: EventPublisher,
    private readonly events: ConversationEvents,
    private readonly ownership: OwnershipStore,
    private readonly afterResolution: AfterResolution,
    private readonly opening: ConversationOpening,
    private readonly reactions: CustomerReactions,
    private readonly regions: RegionDirectory,
    @Inject(ROUTER_CONFIG) private readonly config: Pick<RouterConfig, 'ROUTER_AI_HISTORY_TURNS'>,
  ) {}

  /**
   * `arrival` (ADR 0012): the consumer's fresh lane took it out of a backlog's turn (`lane` 'fresh'),
   * or how many records were behind it when the ordered lane fetched it (`behind`). The next stages
   * are told to give it priority when it was taken, or when it opened its conversation and arrived
   * to no backlog here — this stage drains faster than the reply step, so a newcomer that finds
   * nothing queued here may still find the reply step's backlog (measured: 13–19 s behind it).
   */
  async execute(event: CloudEvent<InboundMessage>, arrival: { lane?: 'ordered' | 'fresh'; behind?: number } = {}): Promise<void> {
    const m = event.data;
    const at = new Date(m.message.timestamp);
    // The customer id is a hash of the channel identity, so the conversation can name it before the
    // customer row exists; the row is written when a conversation opens (one write per message saved),
    // or when an erased customer writes again.
    const customerId = customerKey(m.tenantId, m.channel, m.accountId, m.customer.channelUserId);
    // Flow variants go into the conversation's insert: assigned once, never recomputed (cached per tenant).
    const experiments = await this.opening.experimentsFor(m.tenantId, customerId);
    const { conversation, created: opened, restored, erased } = await this.conversations.openOrTouch(
      {
        _id: m.conversationId, tenantId: m.tenantId, region: m.region, channel: m.channel, accountId: m.accountId, customerId, channelUserId: m.customer.channelUserId,
        ...(experiments.length ? { experiments } : {}),
      },
      at,
      true,
    );
    // A message the customer wrote before their erasure, delivered again from Kafka: dropped, or it
    // would bring back what the erasure removed (ADR 0501).
    if (erased) return;
    // A conversation this message just opened has no entry in the ownership log yet — a claim needs the
    // conversation first, and one racing in now is caught by the reply step, which reads the log before
    // the bot speaks — so a newcomer's first message skips that read. A read goes on while the message
    // is stored (ADR 0011, seventh step).
    // A conversation whose copy says the bot holds it is answered within the copy's period, with no
    // read of the log here: the reply step reads the log once, right before the bot speaks (ADR 0200's
    // gate), and a claim since (or a copy a racing write left behind) silences it there (ADR 0011,
    // eighth step). Any other state is read from the log: it decides whether the bot may answer at all,
    // and a copy left behind the log must not keep the bot silent for good.
    const copy = ownershipOf(conversation, conversation.createdAt);
    const owned = opened || copy.state === 'bot' ? undefined : this.ownership.current(conversation);
    owned?.catch(() => undefined);
    // The customer's row (when a conversation opens) and the message are written at once.
    const customerSaved = opened || restored
      ? this.customers.upsert(
        { tenantId: m.tenantId, channel: m.channel, accountId: m.accountId, channelUserId: m.customer.channelUserId, displayName: m.customer.displayName, locale: m.customer.locale },
        at,
      )
      : undefined;
    customerSaved?.catch(() => undefined);
    const { created } = await this.messages.insert({
      _id: event.id,
      tenantId: m.tenantId,
      conversationId: m.conversationId,
      channel: m.channel,
      accountId: m.accountId,
      channelMessageId: m.message.channelMessageId,
      direction: 'inbound',
      author: { kind: 'customer', id: customerId, name: m.customer.displayName },
      type: m.message.type,
      text: m.message.text,
      attachments: m.message.attachments,
      replyToMessageId: m.message.replyToId,
      timestamp: at,
      ...(m.channel === 'email' && m.message.meta?.senderVerified === true ? { senderVerified: true } : {}),
    });
    await customerSaved;
    const scoped = { tenantId: m.tenantId, region: m.region, channel: m.channel, accountId: m.accountId, conversationId: m.conversationId };
    if (opened) await this.events.emit({ ...scoped, kind: 'opened', state: conversation.state, at: at.toISOString() }, m.conversationId);
    // Another region acts for this tenant (ADR 0300): this one keeps the warm copy above and holds the
    // message as pending — answered there, or replayed here if this region takes the tenant over.
    if (!this.regions.mayAct(m.tenantId)) {
      await this.regions.holdPending(event);
      return;
    }
    // A redelivered first message (crash before the commit) runs these again: each is idempotent.
    if (opened || restored || conversation.createdAt.getTime() === at.getTime()) await this.opening.opened(conversation, m, event.id);
    if (created) {
      await this.events.emit({ ...scoped, kind: 'message', state: conversation.state, messageId: event.id, direction: 'inbound', at: at.toISOString() }, event.id);
    }
    // A reaction is a verdict, never a question: it neither asks the bot nor reopens a resolved conversation.
    if (m.message.type === 'reaction') {
      await this.reactions.handle(m, event.id);
      return;
    }
    let owner = owned ? (await owned).ownership : opened ? OwnershipStore.opened(conversation) : copy;
    if (owner.state === 'resolved') owner = await this.afterResolution.handle(conversation, owner, event.id, m);
    if (!botMayAnswer(owner)) return;

    // The AI context, for a context-aware answerer (ROUTER_AI_HISTORY_TURNS; none by default: no engine
    // of the AI worker reads it, and it cost a query per message — ADR 0011, third step): the
    // conversation's last turns, read from the messages themselves (one indexed query, ADR 0010) —
    // every writer only inserts messages, so no turn can be lost to a race (ADR 0011). A conversation
    // this message opened has no earlier turn, unless its flow variant greeted first.
    const turns = this.config.ROUTER_AI_HISTORY_TURNS;
    const earlier = turns === 0 || (opened && !flowParams(conversation).greeting) ? [] : await this.messages.history(m.conversationId, turns + 1);
    const history = earlier
      .filter((h) => h._id !== event.id && h.text)
      .slice(-turns)
      .map((h) => ({ role: turnRole(h.author.kind), text: (h.text ?? '').slice(0, 4096) }));
    const newcomer = newcomerFirst(arrival, opened);
    const request = createEvent({
      type: 'omni.ai.requested.v1',
      id: derivedId(event.id, 'ai-request'),
      source: '/router',
      subject: m.conversationId,
      tenantId: m.tenantId,
      region: m.region,
      data: {
        ...scoped,
        messageId: event.id,
        text: m.message.text ?? '',
        messageType: m.message.type,
        customerLocale: m.customer.locale,
        previousLanguage: conversation.language,
        history,
        // A voice note's storeId, for a worker that can transcribe it.
        ...(m.message.attachments.length ? { attachments: m.message.attachments } : {}),
        // Handed back on the result: the reply step reads neither the conversation nor this message again.
        // With the bot's period just read from the log: the reply step checks it once, before speaking.
        conversation: conversationFacts(conversation, opened, { channelMessageId: m.message.channelMessageId, at }, owner.state === 'bot' ? owner : undefined, newcomer),
      },
    });
    // The later stages' fresh lanes read the mark from the record's headers (ADR 0012).
    await this.publisher.publish(TOPICS.aiRequest, newcomer ? { ...request, freshat: at.toISOString() } : request);
  }
}

/** Whether the later stages should serve this message first (ADR 0012): see `execute`. */
export function newcomerFirst(arrival: { lane?: 'ordered' | 'fresh'; behind?: number }, opened: boolean): boolean {
  if (arrival.lane === 'fresh') return true;
  return opened && arrival.behind !== undefined && arrival.behind < FRESH_LANE_MIN_BACKLOG;
}
