import { z } from 'zod';

/**
 * Data schemas of every event on Kafka (★ public contract). Types are inferred from them; producers
 * validate before producing and consumers validate on consume. Additive, optional fields only within
 * a version; anything else is a new `.v2` event and topic, side by side with the old.
 */

export const CHANNELS = ['whatsapp', 'messenger', 'telegram', 'email', 'web'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

export const MESSAGE_TYPES = [
  'text', 'image', 'audio', 'video', 'document', 'location', 'contact', 'interactive', 'reaction', 'sticker',
] as const;
export const MessageTypeSchema = z.enum(MESSAGE_TYPES);
export type MessageType = z.infer<typeof MessageTypeSchema>;

export const CONVERSATION_STATES = ['bot', 'queued', 'assigned', 'resolved'] as const;
export const ConversationStateSchema = z.enum(CONVERSATION_STATES);
export type ConversationState = z.infer<typeof ConversationStateSchema>;

const id = z.string().min(1).max(256);
const isoTime = z.iso.datetime({ offset: true });

export const AttachmentSchema = z
  .object({
    kind: z.enum(['image', 'audio', 'video', 'document', 'sticker', 'file']),
    mime: z.string().min(1).max(255),
    size: z.number().int().nonnegative().optional(),
    url: z.url().optional(),
    mediaId: z.string().min(1).max(512).optional(),
    sha256: z.string().regex(/^[a-f0-9]{64}$/i).optional(),
    filename: z.string().max(255).optional(),
    caption: z.string().max(4096).optional(),
    /**
     * The gateway's copy of an inbound attachment: id in the media store (the content's SHA-256 in
     * hex, scoped by the event's tenantId), set once the bytes were fetched from the provider and
     * stored. `url`/`mediaId` keep the provider's own reference.
     */
    storeId: z.string().regex(/^[a-f0-9]{64}$/).optional(),
    /** Why an inbound attachment was not stored (size or type limit, a URL the provider does not own…). */
    storeError: z.object({ code: z.string().max(64), reason: z.string().max(512) }).optional(),
  })
  .refine((a) => a.url !== undefined || a.mediaId !== undefined, { message: 'an attachment needs url or mediaId' });
export type Attachment = z.infer<typeof AttachmentSchema>;

export const CustomerRefSchema = z.object({
  channelUserId: id,
  displayName: z.string().max(256).optional(),
  locale: z.string().max(35).optional(),
});

/** Common routing fields of every per-conversation event. */
const ConversationScoped = {
  tenantId: id,
  region: z.string().min(1).max(64),
  channel: ChannelSchema,
  accountId: id,
  conversationId: id,
};

export const InboundMessageSchema = z.object({
  ...ConversationScoped,
  customer: CustomerRefSchema,
  message: z.object({
    channelMessageId: id,
    direction: z.literal('inbound'),
    type: MessageTypeSchema,
    text: z.string().max(65536).optional(),
    attachments: z.array(AttachmentSchema).max(20).default([]),
    replyToId: id.optional(),
    timestamp: isoTime,
    location: z
      .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
      .optional(),
    contacts: z.array(z.object({ name: z.string().optional(), phones: z.array(z.string()).default([]), emails: z.array(z.string()).default([]) })).optional(),
    interactive: z.object({ kind: z.enum(['button', 'list', 'quick_reply', 'postback', 'callback']), id: z.string(), title: z.string().optional() }).optional(),
    reaction: z.object({ emoji: z.string().max(32), targetMessageId: id }).optional(),
    /** Channel-specific extras that have no normalized field yet (kept small). */
    meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
});
export type InboundMessage = z.infer<typeof InboundMessageSchema>;

export const DELIVERY_STATES = ['sent', 'delivered', 'read', 'failed'] as const;
export const DeliveryStateSchema = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof DeliveryStateSchema>;

export const DeliveryStatusSchema = z.object({
  ...ConversationScoped,
  /** Our id of the outbound message (the outbound command's messageId). */
  messageId: id,
  channelMessageId: id.optional(),
  status: DeliveryStateSchema,
  timestamp: isoTime,
  error: z.object({ code: z.string(), reason: z.string(), retryable: z.boolean().optional() }).optional(),
});
export type DeliveryStatus = z.infer<typeof DeliveryStatusSchema>;

/**
 * What the router knew of the conversation when it asked (added within v1: optional). The worker hands
 * it back unchanged on the result, so the router's reply step needs no read of its own conversation
 * (the facts travel with the event instead of being read back). Ownership is never trusted from
 * here alone: the reply step checks the ownership log before the bot speaks.
 */
export const ConversationFactsSchema = z.object({
  customerId: id,
  channelUserId: id,
  state: ConversationStateSchema,
  createdAt: isoTime,
  /** The message being answered opened the conversation: no turn came before it. */
  opened: z.boolean().optional(),
  /** The answered message's provider id and time (a reply quotes it; it opened the 24-hour window). */
  inboundChannelMessageId: z.string().max(512).optional(),
  inboundAt: isoTime.optional(),
  /** The conversation's copy of its ownership version (where the reply step starts reading the log). */
  version: z.number().int().nonnegative(),
  /**
   * The bot's period the router read from the ownership log when it asked (added within v1:
   * optional): its version and start. The reply step answers within it, checking once before the
   * bot speaks that no later version was claimed, instead of reading the log again first.
   */
  bot: z.object({ version: z.number().int().nonnegative(), since: isoTime }).optional(),
  /**
   * The router marked the message as a newcomer's (ADR 0012; added within v1: optional). The lanes
   * now read the same mark from the record's `ce_freshat` header, which a sealed record keeps
   * readable; this field stays for a worker of the version before during a rolling upgrade.
   */
  fresh: z.literal(true).optional(),
  /**
   * The conversation's count of bot-turn changes made outside the reply step (a 👍/👎, an erased
   * customer's return; added within v1: optional): the reply step's copy of the recent turns is
   * used only at this count (ADR 0011, seventh step).
   */
  turnsEpoch: z.number().int().nonnegative().optional(),
  language: z.string().max(35).optional(),
  experiments: z
    .array(z.object({ experimentId: id, variantId: id, params: z.record(z.string(), z.unknown()) }))
    .max(20)
    .optional(),
});
export type ConversationFacts = z.infer<typeof ConversationFactsSchema>;

export const AiRequestSchema = z.object({
  ...ConversationScoped,
  /** Id of the inbound message being answered (the inbound event's ce_id). */
  messageId: id,
  text: z.string().max(65536),
  messageType: MessageTypeSchema,
  customerLocale: z.string().max(35).optional(),
  previousLanguage: z.string().max(35).optional(),
  /** The last turns, oldest first, for context-aware answerers. */
  history: z
    .array(z.object({ role: z.enum(['customer', 'bot', 'agent']), text: z.string().max(4096) }))
    .max(20)
    .default([]),
  /**
   * The inbound message's attachments (added within v1: optional): a voice note's `storeId` lets a
   * worker with a transcription provider read it from the media store.
   */
  attachments: z.array(AttachmentSchema).max(20).optional(),
  /** The conversation as the router saw it (added within v1: optional); handed back on the result. */
  conversation: ConversationFactsSchema.optional(),
});
export type AiRequest = z.infer<typeof AiRequestSchema>;

export const EntitySchema = z.object({
  type: z.string().min(1).max(64),
  value: z.string().max(1024),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});

export const AiResultSchema = z.object({
  ...ConversationScoped,
  /** The inbound message this result answers. */
  messageId: id,
  language: z.string().max(35),
  intent: z.object({ name: z.string().max(128), confidence: z.number().min(0).max(1) }).nullable(),
  alternatives: z.array(z.object({ name: z.string().max(128), confidence: z.number().min(0).max(1) })).max(10).default([]),
  entities: z.array(EntitySchema).max(100).default([]),
  sentiment: z.object({ score: z.number().min(-1).max(1), label: z.enum(['negative', 'neutral', 'positive']), escalate: z.boolean() }).optional(),
  answer: z.object({ text: z.string().max(8192), articleId: z.string().max(256).optional() }).nullable(),
  abstained: z.boolean(),
  reasons: z.array(z.string().max(512)).max(20).default([]),
  engine: z.string().max(64),
  /**
   * The worker asks for a person whatever the tenant's handoff policy says, with a note for the agent:
   * e.g. a voice note or an image that no configured provider can read (added within v1: optional).
   */
  handoff: z.object({ reason: z.string().min(1).max(512) }).optional(),
  /** What a voice note said, when a transcription provider read it (added within v1: optional). */
  transcript: z.string().max(8192).optional(),
  /**
   * The request's `conversation` and `text`, handed back unchanged (added within v1: optional): the
   * router answers from them without reading the conversation and the inbound message again.
   */
  request: z.object({ conversation: ConversationFactsSchema, text: z.string().max(65536) }).optional(),
});
export type AiResult = z.infer<typeof AiResultSchema>;

export const AI_OUTCOMES = ['answered', 'handed_off', 'thumbs_down', 'thumbs_up', 'csat', 'corrected'] as const;

/**
 * What became of an AI prediction, reported by the router so the worker's prediction log learns it
 * (the optimization loop). `messageId` is the inbound message the prediction was made for (the join
 * key); a CSAT rating concerns the whole conversation and carries the score instead. `label` is an
 * agent's correction of the intent, when one is known.
 */
export const AiOutcomeSchema = z
  .object({
    ...ConversationScoped,
    outcome: z.enum(AI_OUTCOMES),
    /** The inbound message whose prediction this is about (every outcome but `csat`). */
    messageId: id.optional(),
    /** For `handed_off`: the handoff policy's reason codes (human_request, unsatisfied_turns, ai_requested, …). */
    reasons: z.array(z.string().min(1).max(64)).max(10).default([]),
    /** For `csat`: the customer's rating, 1 (very poor) to 5 (excellent). */
    score: z.number().int().min(1).max(5).optional(),
    /** The right intent, when an agent corrected the prediction. */
    label: z.string().min(1).max(128).optional(),
    /**
     * For `corrected` (added within v1): the customer's text, when the agent asked for it to become a
     * training example of `label`. The worker masks its entities before it stores it.
     */
    example: z.object({ text: z.string().min(1).max(2000) }).optional(),
    at: isoTime,
  })
  .superRefine((o, ctx) => {
    if (o.outcome === 'csat' && o.score === undefined) ctx.addIssue({ code: 'custom', path: ['score'], message: 'a csat outcome needs score' });
    if (o.outcome === 'corrected' && o.label === undefined) ctx.addIssue({ code: 'custom', path: ['label'], message: 'a corrected outcome needs label' });
    if (o.example !== undefined && o.outcome !== 'corrected') ctx.addIssue({ code: 'custom', path: ['example'], message: 'only a corrected outcome carries an example' });
    if (o.outcome !== 'csat' && o.messageId === undefined) ctx.addIssue({ code: 'custom', path: ['messageId'], message: `a ${o.outcome} outcome needs messageId` });
  });
export type AiOutcome = z.infer<typeof AiOutcomeSchema>;

export const OutboundCommandSchema = z.object({
  ...ConversationScoped,
  /** Our message id: the idempotency key of the send. */
  messageId: id,
  recipient: z.object({ channelUserId: id }),
  author: z.object({ kind: z.enum(['bot', 'agent', 'system']), id: z.string().max(256).optional(), name: z.string().max(256).optional() }),
  message: z.object({
    type: MessageTypeSchema,
    text: z.string().max(65536).optional(),
    attachments: z.array(AttachmentSchema).max(20).default([]),
    buttons: z.array(z.object({ id: z.string().max(256), title: z.string().max(64) })).max(10).optional(),
    template: z.object({ name: z.string(), language: z.string(), params: z.array(z.string()).default([]) }).optional(),
  }),
  replyToMessageId: id.optional(),
  createdAt: isoTime,
  /**
   * What the router knew when it built the command (added within v1: optional), so that a channel
   * needs no read of the router's data: when the customer last wrote (WhatsApp's 24-hour window),
   * the conversation's language (a template's language), and the provider's id of the message the
   * reply quotes. A channel reads whatever is missing.
   */
  context: z
    .object({ lastInboundAt: isoTime.optional(), locale: z.string().max(35).optional(), quotedChannelMessageId: z.string().max(512).optional() })
    .optional(),
  /**
   * Paired regions (ADR 0300; added within v1: optional): the region that decided the send and the
   * tenant's region-directory epoch then. The channel checks it right before sending: a send a peer
   * region decided at a later epoch is not sent again, and a command that outlived a switch is first
   * checked with the other region of the pair.
   */
  fence: z.object({ region: z.string().min(1).max(64), epoch: z.number().int().positive() }).optional(),
});
export type OutboundCommand = z.infer<typeof OutboundCommandSchema>;


export const ConversationEventSchema = z.object({
  ...ConversationScoped,
  kind: z.enum(['opened', 'message', 'state_changed', 'assigned', 'resolved']),
  state: ConversationStateSchema,
  /** For kind=message: the stored message's id and direction. */
  messageId: id.optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  reason: z.string().max(512).optional(),
  at: isoTime,
});
export type ConversationEvent = z.infer<typeof ConversationEventSchema>;
