import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Channel, NotFoundError, OmniError, ValidationError, derivedId } from '@omni/contracts';
import { AGENT_SLOT_REPOSITORY, AgentSlotRepository, CONVERSATION_REPOSITORY, ConversationDoc, ConversationRepository, MessageDoc } from '@omni/persistence';
import { Resolver, csatPrompt, transition } from '@omni/routing';
import { ConversationEvents } from '../conversations/conversation-events';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { flowParams } from '../experiments/flow-experiments';
import { ReplyAttachment, ReplyAttachments } from '../media/reply-attachments';
import { RecordOutcomes } from '../experiments/record-outcomes';

/** What agents do to a conversation through the API; every call is scoped to the caller's tenant. */
@Injectable()
export class ConversationActions {
  constructor(
    @Inject(CONVERSATION_REPOSITORY) private readonly conversations: ConversationRepository,
    @Inject(AGENT_SLOT_REPOSITORY) private readonly slots: AgentSlotRepository,
    private readonly ownership: OwnershipStore,
    private readonly customer: CustomerMessages,
    private readonly events: ConversationEvents,
    private readonly outcomes: RecordOutcomes,
    private readonly files: ReplyAttachments,
  ) {}

  /** A conversation of another tenant is "not found", never "forbidden": its existence is not leaked. */
  async find(tenantId: string, id: string): Promise<ConversationDoc> {
    const c = await this.conversations.get(id);
    if (!c || c.tenantId !== tenantId) throw new NotFoundError(`conversation ${id}`);
    return c;
  }

  /**
   * Sends an agent's text through the conversation's channel (omni.outbound.<channel>.v1). The
   * Idempotency-Key, when given, makes a retried request one message. Only the assigned agent may
   * write while a human owns it; in bot or queued state an agent writing is a takeover, not done here.
   */
  async reply(tenantId: string, id: string, input: { agentId: string; text?: string; attachments?: ReplyAttachment[] }, idempotencyKey?: string): Promise<MessageDoc> {
    const c = await this.find(tenantId, id);
    const { ownership } = await this.ownership.current(c);
    if (ownership.state !== 'assigned' || ownership.agentId !== input.agentId) {
      throw new OmniError('conflict', `conversation ${id} is ${ownership.state}${ownership.state === 'assigned' ? ` to ${ownership.agentId}` : ''}, not assigned to ${input.agentId}`, false);
    }
    const messageId = idempotencyKey ? derivedId(`${tenantId}:${id}:${idempotencyKey}`, 'agent-reply') : randomUUID();
    // The web chat's frames carry text only (apps/channel-web): a file would vanish on the way.
    if (input.attachments?.length && c.channel === 'web') throw new ValidationError('the web chat cannot show attachments yet; send a link in the text', [{ path: 'attachments', message: 'not supported on web' }]);
    // An email attaches the file's bytes from the media store; the mailer never fetches a URL (SSRF).
    const urlOnly = c.channel === 'email' ? (input.attachments ?? []).findIndex((a) => !a.storeId) : -1;
    if (urlOnly >= 0) throw new ValidationError('an email attaches uploaded files only: upload it (POST /v1/media) and send its storeId', [{ path: `attachments.${urlOnly}.storeId`, message: 'required on email' }]);
    const files = input.attachments?.length ? await this.files.resolve(tenantId, input.attachments) : undefined;
    return this.customer.send(c, { id: messageId, text: input.text ?? '', author: { kind: 'agent', id: input.agentId }, ...(files ?? {}) });
  }

  /** Resolves (any owner but resolved); frees the agent's slot after the claim. */
  async resolve(tenantId: string, id: string, requestId: string, by: Resolver = 'agent'): Promise<ConversationDoc> {
    const c = await this.find(tenantId, id);
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
    return this.find(tenantId, id);
  }
}
