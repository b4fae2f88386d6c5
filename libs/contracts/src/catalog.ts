import type { z } from 'zod';
import {
  AiOutcomeSchema, AiRequestSchema, AiResultSchema, ChannelSchema, ConversationEventSchema, DeliveryStatusSchema,
  InboundMessageSchema, OutboundCommandSchema,
} from './schemas';
import { TOPICS, outboundTopic } from './topics';

/**
 * The one typed list of event types (★): ce_type → data schema, the topics that carry it, who
 * produces and who consumes it. The AsyncAPI document is generated from this list.
 */
export const EVENTS = {
  'omni.message.received.v1': {
    schema: InboundMessageSchema,
    topics: [TOPICS.inbound],
    summary: 'A customer message received on any channel, normalized.',
    producers: ['channel-*'],
    consumers: ['router'],
  },
  'omni.message.status.v1': {
    schema: DeliveryStatusSchema,
    topics: [TOPICS.status],
    summary: 'Delivery status of an outbound message (sent → delivered → read; failed is terminal).',
    producers: ['channel-*'],
    consumers: ['router'],
  },
  'omni.ai.requested.v1': {
    schema: AiRequestSchema,
    topics: [TOPICS.aiRequest],
    summary: 'The router asks the AI worker to understand and answer one inbound message.',
    producers: ['router'],
    consumers: ['ai-worker'],
  },
  'omni.ai.completed.v1': {
    schema: AiResultSchema,
    topics: [TOPICS.aiResult],
    summary: 'Language, intent, entities, sentiment and a proposed answer; the router decides what to send.',
    producers: ['ai-worker'],
    consumers: ['router'],
  },
  'omni.ai.outcome.v1': {
    schema: AiOutcomeSchema,
    topics: [TOPICS.aiOutcome],
    summary: 'What became of an AI prediction (answered, handed off with reasons, CSAT): joins the prediction log by messageId.',
    producers: ['router'],
    consumers: ['ai-worker'],
  },
  'omni.message.send.v1': {
    schema: OutboundCommandSchema,
    topics: ChannelSchema.options.map((c) => outboundTopic(c)),
    summary: 'Send one message to a customer through a channel; messageId is the idempotency key.',
    producers: ['router'],
    consumers: ['channel-*'],
  },
  'omni.conversation.changed.v1': {
    schema: ConversationEventSchema,
    topics: [TOPICS.conversation],
    summary: 'Conversation lifecycle and new messages, for agent UIs and analytics.',
    producers: ['router'],
    consumers: ['agent UIs', 'analytics'],
  },
} as const satisfies Record<string, { schema: z.ZodType; topics: readonly string[]; summary: string; producers: readonly string[]; consumers: readonly string[] }>;

export type EventType = keyof typeof EVENTS;
export type EventData<T extends EventType> = z.infer<(typeof EVENTS)[T]['schema']>;
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(EVENTS, value);
}
