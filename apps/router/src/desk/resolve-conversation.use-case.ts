import { Inject, Injectable } from '@nestjs/common';
import { Channel, OmniError, derivedId } from '@omni/contracts';
import { AGENT_SLOT_REPOSITORY, AgentSlotRepository, ConversationDoc } from '@omni/persistence';
import { Resolver, csatPrompt, transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { flowParams } from '../experiments/flow-experiments';
import { RecordOutcomes } from '../experiments/record-outcomes';
import { ConversationLookup } from './conversation-lookup';

/** Resolves (any owner but resolved) — by an agent, the customer's idle timeout or the system; frees the agent's slot after the claim, then asks for CSAT. */
@Injectable()
export class ResolveConversationUseCase {
  constructor(
    private readonly lookup: ConversationLookup,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly ownership: OwnershipStore,
    private readonly customer: CustomerMessages,
    private readonly events: ConversationEvents,
    private readonly outcomes: RecordOutcomes,
  ) {}

  async execute(tenantId: string, id: string, requestId: string, by: Resolver = 'agent'): Promise<ConversationDoc> {
    const c = await this.lookup.find(tenantId, id);
    const { ownership } = await this.ownership.current(c);
    const at = new Date();
    const next = transition(ownership, { type: 'resolved', at, by });
    if (!next.ok) throw new OmniError('conflict', next.error.message, false);
    const claimed = await this.ownership.commit(c, next.state, { cause: `resolve:${requestId}` }, at);
    if (!claimed) throw new OmniError('conflict', `conversation ${id} changed meanwhile; reload and retry`, false);
    if (ownership.state === 'assigned') await this.slots.release(ownership.agentId, c._id);
    await this.outcomes.resolved(c, claimed.at);
    if (next.effects.some((e) => e.type === 'ask_csat')) {
      const prompt = csatPrompt(c.language);
      // The reply-style experiment: the same question with buttons (the text still works where buttons do not).
      const buttons = flowParams(c).replyStyle === 'buttons' ? prompt.options.map((o) => ({ id: o.id, title: o.title })) : undefined;
      await this.customer.send(c, { id: derivedId(`${c._id}:${claimed.version}`, 'csat-ask'), text: prompt.text, author: { kind: 'system' }, ...(buttons ? { buttons } : {}) }, at);
    }
    const scoped = { tenantId: c.tenantId, region: c.region, channel: c.channel as Channel, accountId: c.accountId, conversationId: c._id };
    await this.events.emit({ ...scoped, kind: 'resolved', state: 'resolved', at: at.toISOString() }, `${c._id}:${claimed.version}`);
    return this.lookup.find(tenantId, id);
  }
}
