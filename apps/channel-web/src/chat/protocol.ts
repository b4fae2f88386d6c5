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

/** The widget's texts in the visitor's language, from the tenant's `widgetTexts` setting (ADR 0602). */
export interface WidgetTexts {
  title?: string;
  greeting?: string;
  placeholder?: string;
  offline?: string;
}

/**
 * The texts for a visitor's locale: its exact tag, then its language, then another variant of its
 * language (`pt` → `pt-BR`), then English, then the first language the tenant wrote; each text falls
 * back the same way on its own. Undefined without a setting.
 */
export function widgetTextsFor(section: unknown, locale: string | undefined): WidgetTexts | undefined {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) return undefined;
  const byTag = new Map(Object.entries(section as Record<string, WidgetTexts>).map(([tag, t]) => [tag.toLowerCase().replace('_', '-'), t]));
  if (byTag.size === 0) return undefined;
  const tag = (locale ?? '').toLowerCase().replace('_', '-');
  const language = tag.split('-')[0];
  const variants = [...byTag.keys()].filter((k) => language && k.startsWith(`${language}-`)).sort();
  const order = [tag, language, ...variants, 'en', ...byTag.keys()].filter((t, i, all) => t && all.indexOf(t) === i);
  const texts: WidgetTexts = {};
  for (const key of ['title', 'greeting', 'placeholder', 'offline'] as const) {
    const found = order.map((t) => byTag.get(t)?.[key]).find((v) => typeof v === 'string');
    if (found) texts[key] = found;
  }
  return texts;
}

export type ServerFrame =
  /** `token` only when a new session was issued (keep it; send it in the next hello); `texts` when the tenant set its widget's texts. */
  | { type: 'welcome'; conversationId: string; history: WireMessage[]; token?: string; texts?: WidgetTexts }
  | { type: 'ack'; clientMessageId: string; messageId: string }
  | { type: 'reacted'; messageId: string; emoji: string }
  | { type: 'message'; message: WireMessage }
  | { type: 'error'; code: string; reason: string; clientMessageId?: string; retryAfterMs?: number }
  | { type: 'pong' };
