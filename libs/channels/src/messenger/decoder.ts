import { Attachment, DeliveryStatus, InboundMessage, ValidationError } from '@omni/contracts';
import { DecodeContext, DecodeResult, MessageContent, Scope, buildInbound, buildStatus, emptyResult, resolveScope } from '../common/decode';
import { MESSENGER_MAX_METADATA } from './encoder';
import { JsonObject, arr, fromUnixMillis, isObject, num, obj, optArr, optStr, str } from '../common/guards';

/**
 * Messenger Page webhook → normalized events. Meta batches several entries (and, for busy pages,
 * several `messaging` events per entry) into one POST: every one is decoded.
 */
export function decodeMessengerWebhook(payload: unknown, ctx: DecodeContext): DecodeResult {
  const body = obj(payload, 'body');
  if (body.object !== 'page') throw new ValidationError(`body.object: expected "page", got ${JSON.stringify(body.object)}`);
  const result = emptyResult();
  arr(body.entry, 'entry').forEach((rawEntry, e) => {
    const entry = obj(rawEntry, `entry[${e}]`);
    const pageId = str(entry.id, `entry[${e}].id`);
    const scope = resolveScope(ctx, 'messenger', pageId);
    if (!scope) {
      result.ignored.push({ reason: `unknown Messenger page ${pageId}`, ref: `entry[${e}]` });
      return;
    }
    optArr(entry.messaging, `entry[${e}].messaging`).forEach((raw, i) => decodeEvent(obj(raw, `entry[${e}].messaging[${i}]`), `entry[${e}].messaging[${i}]`, scope, result));
    // `standby` carries events while another app owns the thread (handover protocol): not ours to answer.
    const standby = optArr(entry.standby, `entry[${e}].standby`);
    if (standby.length) result.ignored.push({ reason: `${standby.length} standby event(s): another app owns the thread`, ref: `entry[${e}]` });
  });
  return result;
}

function decodeEvent(ev: JsonObject, path: string, scope: Scope, result: DecodeResult): void {
  const timestamp = fromUnixMillis(ev.timestamp, `${path}.timestamp`);
  const sender = str(obj(ev.sender, `${path}.sender`).id, `${path}.sender.id`);
  const customer = { channelUserId: sender };
  if (isObject(ev.message)) {
    const m = ev.message;
    // Echoes are the page's own outbound messages (ours or a human's in the Page inbox): not events. One
    // carrying `metadata` (the Send API echoes what it was given; ours is the messageId) is the provider's
    // word that it took that send: kept for the send ledger (ADR 0423, a send of unknown outcome).
    if (m.is_echo === true) {
      const metadata = optStr(m.metadata);
      const mid = optStr(m.mid);
      if (metadata && mid && metadata.length <= MESSENGER_MAX_METADATA) (result.echoes ??= []).push({ accountId: scope.accountId, messageId: metadata, channelMessageId: mid });
      return void result.ignored.push({ reason: 'echo of a page message', ref: mid });
    }
    const content = messageContent(m, `${path}.message`);
    result.messages.push(buildInbound(scope, sender, customer, { ...content, channelMessageId: str(m.mid, `${path}.message.mid`), timestamp }));
  } else if (isObject(ev.postback)) {
    const p = ev.postback;
    const title = optStr(p.title);
    const payload = optStr(p.payload) ?? title ?? 'postback';
    // Older postbacks carry no mid: sender + timestamp identify the tap, and are stable on redelivery.
    const id = optStr(p.mid) ?? `postback:${sender}:${num(ev.timestamp, `${path}.timestamp`)}`;
    result.messages.push(buildInbound(scope, sender, customer, { type: 'interactive', text: title, interactive: { kind: 'postback', id: payload, title }, channelMessageId: id, timestamp }));
  } else if (isObject(ev.reaction)) {
    result.messages.push(reaction(ev.reaction, `${path}.reaction`, scope, sender, num(ev.timestamp, `${path}.timestamp`), timestamp));
  } else if (isObject(ev.delivery)) {
    const d = ev.delivery;
    const mids = optArr(d.mids, `${path}.delivery.mids`).map((m, i) => str(m, `${path}.delivery.mids[${i}]`));
    if (mids.length === 0) result.statuses.push(watermarkStatus(scope, sender, 'delivered', d.watermark, `${path}.delivery.watermark`, timestamp));
    for (const mid of mids) result.statuses.push(buildStatus(scope, sender, { messageId: mid, channelMessageId: mid, status: 'delivered', timestamp }));
  } else if (isObject(ev.read)) {
    result.statuses.push(watermarkStatus(scope, sender, 'read', ev.read.watermark, `${path}.read.watermark`, timestamp));
  } else {
    const kind = Object.keys(ev).find((k) => !['sender', 'recipient', 'timestamp'].includes(k)) ?? 'empty';
    result.ignored.push({ reason: `messaging event ${kind} is not handled`, ref: path });
  }
}

/**
 * `read` (and `delivery` without mids) only says "everything sent before this watermark". Such a
 * status carries `watermark:<ms>` as its message id; the router applies it to every outbound
 * message of the conversation sent at or before that time.
 */
function watermarkStatus(scope: Scope, sender: string, status: 'delivered' | 'read', watermark: unknown, path: string, timestamp: string): DeliveryStatus {
  return buildStatus(scope, sender, { messageId: `watermark:${num(watermark, path)}`, status, timestamp });
}

function reaction(r: JsonObject, path: string, scope: Scope, sender: string, ms: number, timestamp: string): InboundMessage {
  const target = str(r.mid, `${path}.mid`);
  const removed = r.action === 'unreact';
  // A reaction has no mid of its own; target + reactor + action + time is unique and stable.
  const id = `reaction:${target}:${sender}:${removed ? 'unreact' : 'react'}:${ms}`;
  return buildInbound(scope, sender, { channelUserId: sender }, {
    type: 'reaction',
    reaction: { emoji: removed ? '' : (optStr(r.emoji) ?? optStr(r.reaction) ?? ''), targetMessageId: target },
    meta: removed ? { reactionRemoved: true } : undefined,
    channelMessageId: id,
    timestamp,
  });
}

const KIND = { image: 'image', video: 'video', audio: 'audio', file: 'document' } as const;
const MIME = { image: 'image/*', video: 'video/*', audio: 'audio/*', file: 'application/octet-stream' } as const;

function messageContent(m: JsonObject, path: string): MessageContent {
  const text = optStr(m.text);
  const replyToId = isObject(m.reply_to) ? optStr(m.reply_to.mid) : undefined;
  if (isObject(m.quick_reply)) {
    const id = str(m.quick_reply.payload, `${path}.quick_reply.payload`);
    return { type: 'interactive', text, interactive: { kind: 'quick_reply', id, title: text }, replyToId };
  }
  const attachments: Attachment[] = [];
  let type: MessageContent['type'] = 'text';
  const extra: string[] = [];
  optArr(m.attachments, `${path}.attachments`).forEach((raw, i) => {
    const a = obj(raw, `${path}.attachments[${i}]`);
    const kind = str(a.type, `${path}.attachments[${i}].type`);
    const payload = isObject(a.payload) ? a.payload : {};
    const url = optStr(payload.url);
    // Stickers (the thumbs-up "like" too) arrive as image attachments with a sticker_id.
    if (kind === 'image' && payload.sticker_id !== undefined && url) {
      attachments.push({ kind: 'sticker', mime: 'image/png', url });
      type = 'sticker';
    } else if (kind in KIND && url) {
      const k = kind as keyof typeof KIND;
      attachments.push({ kind: KIND[k], mime: MIME[k], url });
      if (type === 'text') type = KIND[k];
    } else if (kind === 'fallback' && url) {
      extra.push(url); // a shared link: keep it as text
    } else {
      extra.push(`[${kind}]`);
    }
  });
  const fullText = [text, ...extra].filter(Boolean).join('\n') || undefined;
  if (!fullText && attachments.length === 0) throw new ValidationError(`${path}: message without text or attachments`);
  return { type, text: fullText, attachments, replyToId, meta: optStr(m.sticker_id) ? { stickerId: optStr(m.sticker_id) as string } : undefined };
}
