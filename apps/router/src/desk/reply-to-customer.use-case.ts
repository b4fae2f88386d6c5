import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { OmniError, ValidationError, derivedId } from '@omni/contracts';
import type { MessageDoc } from '@omni/persistence';
import { CustomerMessages } from '../conversations/customer-messages';
import { OwnershipStore } from '../conversations/ownership.store';
import { ReplyAttachment, ReplyAttachments } from '../media/reply-attachments';
import { ConversationLookup } from './conversation-lookup';

export interface AgentReply {
  readonly agentId: string;
  readonly text?: string;
  readonly attachments?: ReplyAttachment[];
}

/**
 * An agent's reply through the conversation's channel (omni.outbound.<channel>.v1). The
 * Idempotency-Key, when given, makes a retried request one message. Only the assigned agent may
 * write while a human owns it; in bot or queued state an agent writing is a takeover, not done here.
 */
@Injectable()
export class ReplyToCustomerUseCase {
  constructor(
    private readonly lookup: ConversationLookup,
    private readonly ownership: OwnershipStore,
    private readonly customer: CustomerMessages,
    private readonly files: ReplyAttachments,
  ) {}

  async execute(tenantId: string, id: string, input: AgentReply, idempotencyKey?: string): Promise<MessageDoc> {
    const c = await this.lookup.find(tenantId, id);
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
}
