import {
  Channel, DeliveryStatus, InboundMessage, NewEvent, channelEventId, conversationId, parseData, statusEventId,
} from '@omni/contracts';

/** Our account (and tenant, when one provider app serves several tenants) for a provider account. */
export interface AccountRef {
  accountId: string;
  tenantId?: string;
}

export interface DecodeContext {
  tenantId: string;
  region: string;
  /**
   * Maps the provider's account id (WhatsApp phone_number_id, Messenger page id, Telegram bot id,
   * mailbox address) to ours. Default: the provider id itself in `tenantId`. Returning undefined
   * skips that item (reported in `ignored`), so a stray number never lands in the wrong tenant.
   */
  resolveAccount?: (providerAccountId: string) => AccountRef | undefined;
  /** Clock for items without a provider timestamp (Telegram callback queries). */
  now?: () => Date;
}

export interface IgnoredItem {
  reason: string;
  ref?: string;
}

/**
 * The provider's echo of a page's own message that names our key (Messenger `message_echoes` with the
 * `metadata` the Send API was given: our messageId): its word that it took the send (ADR 0423). Not an
 * event; the channel app records it in the send ledger.
 */
export interface SendEcho {
  accountId: string;
  /** Our messageId, as echoed (`message.metadata`). */
  messageId: string;
  /** The provider's id of the message (`message.mid`). */
  channelMessageId: string;
}

export interface DecodeResult {
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
  /** Items that were understood but deliberately not turned into events (echoes, unknown accounts…). */
  ignored: IgnoredItem[];
  /** Echoes of our own sends naming our key (Messenger), recorded as the provider's confirmations. */
  echoes?: SendEcho[];
}

export function emptyResult(): DecodeResult {
  return { messages: [], statuses: [], ignored: [] };
}

export interface Scope {
  tenantId: string;
  region: string;
  channel: Channel;
  accountId: string;
}

export function resolveScope(ctx: DecodeContext, channel: Channel, providerAccountId: string): Scope | undefined {
  const ref = ctx.resolveAccount ? ctx.resolveAccount(providerAccountId) : { accountId: providerAccountId };
  if (!ref) return undefined;
  return { tenantId: ref.tenantId ?? ctx.tenantId, region: ctx.region, channel, accountId: ref.accountId };
}

export type MessageBody = Omit<InboundMessage['message'], 'direction' | 'attachments'> & {
  attachments?: InboundMessage['message']['attachments'];
};

/** The type-specific part of a message, before ids and timestamps are added. */
export type MessageContent = Omit<MessageBody, 'channelMessageId' | 'timestamp'>;

/** Builds and validates one inbound message; the conversation is (tenant, channel, account, thread). */
export function buildInbound(
  scope: Scope,
  threadKey: string,
  customer: InboundMessage['customer'],
  message: MessageBody,
): InboundMessage {
  return parseData('omni.message.received.v1', {
    ...scope,
    conversationId: conversationId(scope.tenantId, scope.channel, scope.accountId, threadKey),
    customer,
    message: { ...message, direction: 'inbound', attachments: message.attachments ?? [] },
  });
}

export function buildStatus(
  scope: Scope,
  threadKey: string,
  status: Omit<DeliveryStatus, keyof Scope | 'conversationId'>,
): DeliveryStatus {
  return parseData('omni.message.status.v1', {
    ...scope,
    conversationId: conversationId(scope.tenantId, scope.channel, scope.accountId, threadKey),
    ...status,
  });
}

/** ce_id of an inbound message: deterministic, so a redelivered webhook yields the same id. */
export function inboundEventId(m: InboundMessage): string {
  return channelEventId(m.channel, m.accountId, m.message.channelMessageId);
}

export function statusEventIdOf(s: DeliveryStatus): string {
  return statusEventId(s.channel, s.accountId, s.channelMessageId ?? s.messageId, s.status);
}

export function eventSource(channel: Channel, accountId: string): string {
  return `/channels/${channel}/${accountId}`;
}

export type ChannelEvent = NewEvent<'omni.message.received.v1'> | NewEvent<'omni.message.status.v1'>;

/** The decode result as ready-to-produce events (createEvent + toKafkaRecord from @omni/contracts). */
export function toNewEvents(result: DecodeResult): ChannelEvent[] {
  const messages = result.messages.map((data): ChannelEvent => ({
    type: 'omni.message.received.v1', id: inboundEventId(data), source: eventSource(data.channel, data.accountId),
    subject: data.conversationId, tenantId: data.tenantId, region: data.region, data, time: new Date(data.message.timestamp),
  }));
  const statuses = result.statuses.map((data): ChannelEvent => ({
    type: 'omni.message.status.v1', id: statusEventIdOf(data), source: eventSource(data.channel, data.accountId),
    subject: data.conversationId, tenantId: data.tenantId, region: data.region, data, time: new Date(data.timestamp),
  }));
  return [...messages, ...statuses];
}
