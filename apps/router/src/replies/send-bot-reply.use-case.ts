import { Inject, Injectable } from '@nestjs/common';
import { AiResult, Channel, CloudEvent, OutboundCommand, derivedId } from '@omni/contracts';
import {
  CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository, MESSAGE_REPOSITORY, MessageRepository,
  OwnershipClaimDoc,
} from '@omni/persistence';
import { Ownership, botMayAnswer, evaluateHandoff } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';
import { conversationFromResult } from '../conversations/conversation-facts';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { PeerSendCheck } from '../regions/peer-send-check';
import { RegionDirectory } from '../regions/region-directory';
import { TenantSettings } from '../conversations/tenant-settings';
import { DEFAULT_SMALL_TALK_INTENTS, forHandoffRules, storedTurn, turnsToRead } from '../handoff/bot-turns';
import { HandOffUseCase } from '../handoff/hand-off.use-case';
import { flowParams } from '../experiments/flow-experiments';
import { welcomeId } from '../inbound/conversation-opening';
import { Workflows } from '../workflows/workflows';
import { RecentTurns } from './recent-turns';

/**
 * Turns an AI result into the bot's reply while the bot owns the conversation, or into a handoff
 * when the tenant's policy says so (customer asked for a person, N unsatisfied turns, human-only
 * intent). Right before speaking the bot checks that nobody claimed the next ownership version; a
 * handoff committing after that check orders the reply before it, which is correct (ADR 0200).
 * Turns and the reply have ids derived from the inbound message: a redelivery records and sends once.
 */
@Injectable()
export class SendBotReplyUseCase {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(MESSAGE_REPOSITORY) private readonly messages: MessageRepository,
    private readonly turns: RecentTurns,
    private readonly ownership: OwnershipStore,
    private readonly customer: CustomerMessages,
    private readonly settings: TenantSettings,
    private readonly handoff: HandOffUseCase,
    private readonly workflows: Workflows,
    private readonly outcomes: AiOutcomes,
    private readonly regions: RegionDirectory,
    private readonly peerSends: PeerSendCheck,
  ) {}

  async execute(event: CloudEvent<AiResult>): Promise<void> {
    const r = event.data;
    // Fencing (ADR 0300): a result that reaches a region no longer active for the tenant is not acted on
    // (the active region replays the message), and a reply a peer region decided is not sent again here.
    if (!this.regions.mayAct(r.tenantId) || (await this.peerSends.decidedByPeer(r.tenantId, r.messageId, derivedId(r.messageId, 'bot-reply')))) return;
    // The inbound step's facts come back with the result (ADR 0011): no read of the conversation or of
    // the message being answered. A result without them (an older worker) reads both, as before.
    const conversation = r.request ? conversationFromResult(r, r.request.conversation) : await this.conversations.get(r.conversationId);
    if (!conversation) throw new Error(`AI result for unknown conversation ${r.conversationId}`); // retryable: ordering across topics
    // A voice note's transcript is kept with what the bot understood, where agents read it.
    const ai = { language: r.language, intent: r.intent, entities: r.entities, sentiment: r.sentiment, abstained: r.abstained, engine: r.engine, ...(r.transcript ? { transcript: r.transcript } : {}) };
    if (r.language && r.language !== conversation.language) await this.conversations.setLanguage(r.conversationId, r.language);
    // Stored while the rest goes on; awaited before the reply (ADR 0011, seventh step).
    const attached = this.messages.attachAi(r.messageId, ai);
    attached.catch(() => undefined);
    // The bot's period the inbound step read from the log travels with the request: answer within it
    // and check the log once, right before speaking (ADR 0200's gate), instead of reading it first too.
    // A result without it (an older router) reads the log here, as before.
    const bot = r.request?.conversation.bot;
    let ownership: Ownership;
    if (bot) ownership = { state: 'bot', version: bot.version, since: new Date(bot.since) };
    else {
      const current = await this.ownership.current(conversation);
      if (!botMayAnswer(current.ownership)) {
        await attached;
        return this.silenced(conversation, current.entry, r);
      }
      ownership = current.ownership;
    }
    // The gate's read starts now, beside the turns' write and read: it still comes before the bot
    // speaks, and a claim committed after it orders the reply before the claim (ADR 0200).
    const gate = this.ownership.changedSince(conversation._id, ownership.version);
    gate.catch(() => undefined);
    const inboundText = r.request ? r.request.text || undefined : (await this.messages.get(r.messageId))?.text;
    const turn = storedTurn(r, ownership.version, inboundText ?? r.transcript, new Date());
    const { handoff: tenantPolicy, smallTalkIntents = DEFAULT_SMALL_TALK_INTENTS } = await this.settings.get(conversation.tenantId);
    // The handoff-threshold experiment: the customer's variant overrides the tenant's streak length.
    const flow = flowParams(conversation);
    const policy = flow.handoffThreshold ? { ...tenantPolicy, unsatisfiedTurns: { ...tenantPolicy.unsatisfiedTurns, threshold: flow.handoffThreshold } } : tenantPolicy;
    // The answer to the message that opened the conversation is the bot's first turn: nothing to read
    // (results reach this consumer in order per conversation, so no later turn can be stored yet).
    const first = r.request?.conversation.opened === true && ownership.version === 0;
    // The reply step's own copy of the period's turns saves that read while it is current (RecentTurns).
    const turns = await this.turns.record(turn, turnsToRead(policy.unsatisfiedTurns.threshold), r.request?.conversation.turnsEpoch ?? (r.request ? 0 : undefined), first);
    await attached;
    const decision = evaluateHandoff(forHandoffRules(turns, smallTalkIntents), policy);
    if (decision.handoff) {
      await this.handoff.execute({ conversation, ownership, result: r, turns, reasons: decision.reasons });
      return;
    }
    const replyId = derivedId(r.messageId, 'bot-reply');
    const workflow = await this.workflows.triggered(conversation.tenantId, r, inboundText);
    if (workflow) {
      // A workflow acts on the company's systems: not for a conversation someone else owns by now.
      if (bot && !(await this.stillTheBots(conversation, ownership, r, gate))) return;
      const { runId, outcome } = await this.workflows.run(conversation, r.messageId, r.language || conversation.language, workflow);
      if (outcome.kind === 'handoff') {
        await this.handoff.execute({ conversation, ownership, result: r, turns, reasons: [{ code: outcome.code, detail: outcome.detail }] });
        return;
      }
      if (!(await this.stillTheBots(conversation, ownership, r))) return;
      await this.customer.send(conversation, { id: replyId, text: outcome.text, author: { kind: 'bot', id: 'workflow' }, replyToMessageId: r.messageId, ai: { ...ai, workflowRunId: runId }, context: sendContext(r, conversation) });
      await this.outcomes.answered(scopeOf(conversation), r.messageId, new Date());
      return;
    }
    if (!r.answer || !(await this.stillTheBots(conversation, ownership, r, gate))) return;
    // The greeting experiment already welcomed this conversation's first message: no second hello.
    if (flow.greeting && r.intent?.name === 'greeting' && (await this.messages.get(welcomeId(conversation._id)))?.replyToMessageId === r.messageId) return;
    await this.customer.send(conversation, { id: replyId, text: r.answer.text, author: { kind: 'bot', id: r.engine }, replyToMessageId: r.messageId, ai, context: sendContext(r, conversation) });
    await this.outcomes.answered(scopeOf(conversation), r.messageId, new Date());
  }

  /**
   * The gate before the bot speaks (ADR 0200): nobody claimed the version after the bot's. When
   * someone did, the log says who owns the conversation now; if it is the handoff this very message
   * caused (a redelivery after a crash), its announcement is made again (idempotent).
   */
  private async stillTheBots(conversation: ConversationDoc, ownership: Ownership, r: AiResult, probe?: Promise<boolean>): Promise<boolean> {
    if (!(await (probe ?? this.ownership.changedSince(conversation._id, ownership.version)))) return true;
    const current = await this.ownership.current(conversation);
    if (!botMayAnswer(current.ownership)) await this.silenced(conversation, current.entry, r);
    return false;
  }

  /** Exactly one owner: the queue or a human owning the conversation silences the bot. */
  private async silenced(conversation: ConversationDoc, entry: OwnershipClaimDoc | null, r: AiResult): Promise<void> {
    if (entry?.cause === r.messageId) await this.handoff.announce(conversation, entry, r); // redelivery of the handoff's cause
  }
}

/** The channel's facts for the answer to `r` (a result without the inbound step's facts gives none: the channel reads them). */
function sendContext(r: AiResult, c: ConversationDoc): OutboundCommand['context'] {
  const facts = r.request?.conversation;
  if (!facts) return undefined;
  const locale = r.language || c.language;
  return {
    ...(facts.inboundAt ? { lastInboundAt: facts.inboundAt } : {}),
    ...(locale ? { locale } : {}),
    ...(facts.inboundChannelMessageId ? { quotedChannelMessageId: facts.inboundChannelMessageId } : {}),
  };
}

function scopeOf(c: ConversationDoc) {
  return { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
}
