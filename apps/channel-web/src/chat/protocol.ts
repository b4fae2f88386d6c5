import { z } from 'zod';

/**
 * The widget's WebSocket protocol (JSON text frames on /ws). Client frames are validated here;
 * anything else gets `{type:"error", code, reason}` and is never produced to Kafka.
 */
// The token the server gave in a welcome (sessions/session-token.ts); its shape is checked there.
const token = z.string().max(256, 'token is longer than 256 characters');

export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    /**
     * The token of an earlier welcome, to resume that conversation; without one (or with one the
     * server did not sign or no longer knows) the visitor gets a new session and token. A
     * client-chosen id (the old `sessionId`) is ignored: it never identifies a visitor.
     */
    token: token.optional(),
    displayName: z.string().trim().max(80).optional(),
    locale: z.string().max(35).optional(),
  }),
  z.object({
    type: z.literal('message'),
    clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientMessageId must be 8-64 characters of [A-Za-z0-9_-]'),
    text: z.string().trim().min(1, 'text is empty').max(4_000, 'text is longer than 4000 characters'),
  }),
  z.object({
    // The customer's verdict on one of the bot's answers (the widget's 👍/👎 under a bot message).
    type: z.literal('reaction'),
    messageId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'messageId must be a message id shown by the widget'),
    emoji: z.enum(['👍', '👎'], { message: 'emoji must be 👍 or 👎' }),
  }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export interface WireMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  author: 'customer' | 'bot' | 'agent' | 'system';
  text?: string;
  timestamp: string;
  status?: string;
}

export type ServerFrame =
  /** `token` only when a new session was issued (keep it; send it in the next hello). */
  | { type: 'welcome'; conversationId: string; history: WireMessage[]; token?: string }
  | { type: 'ack'; clientMessageId: string; messageId: string }
  | { type: 'reacted'; messageId: string; emoji: string }
  | { type: 'message'; message: WireMessage }
  | { type: 'error'; code: string; reason: string; clientMessageId?: string; retryAfterMs?: number }
  | { type: 'pong' };
