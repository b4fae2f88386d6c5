import { randomBytes } from 'node:crypto';
import { hubSignature } from '@omni/channels';

/**
 * The channel webhooks the tests, the drill and the benches send, in each platform's documented
 * shape — one builder per shape, so a change of the shape (or of the signing) is made once.
 */

/** A request body and its headers, ready for `fetch(url, { method: 'POST', ...signed })`. */
export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

/** Meta (WhatsApp Cloud API, Messenger): JSON body signed `X-Hub-Signature-256: sha256=<hmac>` with the app secret. */
export function signedMetaWebhook(payload: unknown, appSecret: string): SignedWebhook {
  const body = JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': hubSignature(body, appSecret) } };
}

export const WABA_ID = '102290129340398';
export const DISPLAY_PHONE_NUMBER = '15550783881';

export const newWamid = (): string => `wamid.${randomBytes(18).toString('base64url')}`;

export interface WhatsAppText {
  /** The business number the customer wrote to (`metadata.phone_number_id`). */
  phoneNumberId: string;
  /** The customer's WhatsApp id. */
  from: string;
  text: string;
  /** Defaults to a fresh `wamid.…`. */
  wamid?: string;
  /** Epoch ms; defaults to now. */
  sentAt?: number;
  /** The customer's profile name. */
  name?: string;
}

type WhatsAppChange = { field: 'messages'; value: Record<string, unknown> };

function whatsappValue(phoneNumberId: string, rest: Record<string, unknown>): WhatsAppChange {
  return {
    field: 'messages',
    value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY_PHONE_NUMBER, phone_number_id: phoneNumberId }, ...rest },
  };
}

/** One `changes[]` item: a message of any type from `from` (`message` is its `type` and that type's object). */
export function whatsappMessageChange(m: Omit<WhatsAppText, 'text'>, message: Record<string, unknown>): WhatsAppChange {
  return whatsappValue(m.phoneNumberId, {
    contacts: [{ profile: { name: m.name ?? 'Customer' }, wa_id: m.from }],
    messages: [{ from: m.from, id: m.wamid ?? newWamid(), timestamp: String(Math.floor((m.sentAt ?? Date.now()) / 1000)), ...message }],
  });
}

/** One `changes[]` item of a Cloud API webhook: a text message from `from` to `phoneNumberId`. */
export const whatsappTextChange = (m: WhatsAppText): WhatsAppChange => whatsappMessageChange(m, { type: 'text', text: { body: m.text } });

/** One `changes[]` item: an image a customer sent (Meta gives only the media id and its hash). */
export const whatsappImageChange = (m: Omit<WhatsAppText, 'text'>, image: { id: string; sha256: string; caption?: string; mime_type?: string }): WhatsAppChange =>
  whatsappMessageChange(m, { type: 'image', image: { mime_type: 'image/jpeg', ...image } });

/** One `changes[]` item: a delivery status of a message we sent (`ourId` comes back as `biz_opaque_callback_data`). */
export function whatsappStatusChange(s: { phoneNumberId: string; to: string; wamid: string; status: 'sent' | 'delivered' | 'read' | 'failed'; ourId?: string }): WhatsAppChange {
  return whatsappValue(s.phoneNumberId, {
    statuses: [{ id: s.wamid, status: s.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: s.to, ...(s.ourId ? { biz_opaque_callback_data: s.ourId } : {}) }],
  });
}

/** A Cloud API webhook: `entries` is one list of changes per WABA entry (one entry by default). */
export function whatsappWebhook(...entries: WhatsAppChange[][]): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: entries.map((changes, i) => ({ id: i === 0 ? WABA_ID : `${WABA_ID}${i}`, changes })) };
}

/** The common case: one text message, as a whole webhook. */
export const whatsappTextWebhook = (m: WhatsAppText): Record<string, unknown> => whatsappWebhook([whatsappTextChange(m)]);

export const newMid = (): string => `m_${randomBytes(24).toString('base64url')}`;

/** One `entry[]` item of a Page webhook: one messaging event from `psid` to the Page `pageId`. */
export function messengerEntry(pageId: string, psid: string, event: Record<string, unknown>, at = Date.now()): Record<string, unknown> {
  return { id: pageId, time: at, messaging: [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: at, ...event }] };
}

/** One `entry[]` item: a text message. */
export const messengerTextEntry = (pageId: string, psid: string, text: string, mid = newMid(), at = Date.now()): Record<string, unknown> =>
  messengerEntry(pageId, psid, { message: { mid, text } }, at);

/** A Page webhook (`object: page`) with the given entries. */
export const messengerWebhook = (...entries: Record<string, unknown>[]): Record<string, unknown> => ({ object: 'page', entry: entries });

let nextUpdate = Math.floor(Math.random() * 1e8);

/** A Bot API Update: a private-chat text message from `chat` (chat id = user id). */
export function telegramTextUpdate(chat: string, messageId: number, text: string, user: { lastName?: string; username?: string } = {}): Record<string, unknown> {
  const from = { id: Number(chat), is_bot: false, first_name: 'Maria', ...(user.lastName ? { last_name: user.lastName } : {}), ...(user.username ? { username: user.username } : {}), language_code: 'en' };
  return { update_id: nextUpdate++, message: { message_id: messageId, from, chat: { id: Number(chat), first_name: 'Maria', type: 'private' }, date: Math.floor(Date.now() / 1000), text } };
}

/** The next update id of this process's sequence (for hand-built updates that must not collide). */
export const nextTelegramUpdateId = (): number => nextUpdate++;
