import { Injectable } from '@nestjs/common';
import { AiResult, Channel, derivedId } from '@omni/contracts';
import type { BotTurnDoc, ConversationDoc, OwnershipClaimDoc } from '@omni/persistence';
import { HandoffReason, Ownership, buildHandoffSummary, transition } from '@omni/routing';
import { AiOutcomes } from '../conversations/ai-outcomes';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerStanding } from '../customers/customer-standing';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { toBotTurn } from './bot-turns';
import { handoffNotice } from './handoff-texts';
import { QueueDispatcher } from './queue-dispatcher.port';

export interface HandOffCommand {
  readonly conversation: ConversationDoc;
  readonly ownership: Ownership;
  readonly result: AiResult;
  /** The bot turns that led here, the current one last. */
  readonly turns: readonly BotTurnDoc[];
  readonly reasons: readonly HandoffReason[];
}

/**
 * bot → queued, exactly once: the claim of the next ownership version, caused by this AI result,
 * carries the summary for the agent. The announcements (conversation event, the customer's notice)
 * have ids derived from the result's message, so a redelivery re-produces the same records.
 */
@Injectable()
export class HandOffUseCase {
  constructor(
    private readonly ownership: OwnershipStore,
    private readonly events: ConversationEvents,
    private readonly customer: CustomerMessages,
    private readonly dispatcher: QueueDispatcher,
    private readonly outcomes: AiOutcomes,
    private readonly standing: CustomerStanding,
  ) {}

  async execute(cmd: HandOffCommand, at = new Date()): Promise<void> {
    const { conversation: c, result: r } = cmd;
    const groupId = await this.dispatcher.groupFor(c, r);
    const next = transition(cmd.ownership, { type: 'handoff_requested', at, reason: cmd.reasons.map((x) => x.code).join(', '), groupId });
    if (!next.ok) return; // no longer the bot's: someone else decided already
    const summary = buildHandoffSummary(cmd.turns.map(toBotTurn), cmd.reasons);
    const standing = await this.standing.of(c.tenantId, c.customerId);
    const entry = await this.ownership.commit(c, next.state, {
      cause: r.messageId,
      queue: { ...standing, firstQueuedAt: at },
      handoff: { at, messageId: r.messageId, reasons: cmd.reasons.map((x) => ({ ...x })), summary: { ...summary } },
    });
    // null: a takeover or another handoff won this version; the bot is silent either way.
    if (entry) await this.announce(c, entry, r);
  }

  /** Idempotent: safe to run again for a redelivered result that caused the handoff. */
  async announce(c: ConversationDoc, entry: OwnershipClaimDoc, r: AiResult): Promise<void> {
    const text = typeof entry.handoff?.summary.text === 'string' ? entry.handoff.summary.text : 'handoff';
    const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.events.emit({ ...scoped, kind: 'state_changed', state: 'queued', reason: text.slice(0, 512), at: entry.at.toISOString() }, `${r.messageId}:handoff`);
    const language = r.language || c.language;
    await this.customer.send(c, { id: derivedId(r.messageId, 'handoff-notice'), text: handoffNotice(language), author: { kind: 'system' }, replyToMessageId: r.messageId }, entry.at);
    await this.dispatcher.dispatch(c, language);
    await this.outcomes.handedOff(scoped, r.messageId, (entry.handoff?.reasons ?? []).map((x) => x.code), entry.at);
  }
}
