import { ValidationError } from '@omni/contracts';
import { DecodeContext, DecodeResult, Scope, buildInbound, emptyResult, resolveScope } from '../common/decode';
import { JsonObject, fromUnixSeconds, isObject, obj, optStr, str } from '../common/guards';
import { telegramContent } from './content';

export interface TelegramDecodeContext extends DecodeContext {
  /** Updates do not name the bot they were sent to: the webhook route knows it (see telegramBotId). */
  botId: string;
}

/**
 * Telegram Update → normalized events. A webhook carries one update; an array (getUpdates) is
 * accepted too. Ids: a message_id is unique only within its chat, so ours is `<chat id>:<message id>`.
 */
export function decodeTelegramUpdate(payload: unknown, ctx: TelegramDecodeContext): DecodeResult {
  const result = emptyResult();
  const scope = resolveScope(ctx, 'telegram', ctx.botId);
  const updates = Array.isArray(payload) ? payload : [payload];
  updates.forEach((raw, i) => {
    const path = Array.isArray(payload) ? `updates[${i}]` : 'update';
    const update = obj(raw, path);
    if (typeof update.update_id !== 'number') throw new ValidationError(`${path}.update_id: expected a number`);
    if (!scope) return void result.ignored.push({ reason: `unknown Telegram bot ${ctx.botId}`, ref: String(update.update_id) });
    if (isObject(update.message)) decodeMessage(update.message, `${path}.message`, scope, result, false);
    else if (isObject(update.edited_message)) decodeMessage(update.edited_message, `${path}.edited_message`, scope, result, true);
    else if (isObject(update.callback_query)) decodeCallback(update.callback_query, `${path}.callback_query`, scope, result, ctx.now ?? (() => new Date()));
    else if (isObject(update.message_reaction)) decodeReaction(update.message_reaction, `${path}.message_reaction`, scope, result);
    else {
      const kind = Object.keys(update).find((k) => k !== 'update_id') ?? 'empty';
      result.ignored.push({ reason: `update ${kind} is not handled`, ref: String(update.update_id) });
    }
  });
  return result;
}

function sender(m: JsonObject, path: string) {
  const from = obj(m.from, `${path}.from`);
  const displayName = [optStr(from.first_name), optStr(from.last_name)].filter(Boolean).join(' ') || optStr(from.username);
  return { channelUserId: str(from.id, `${path}.from.id`), displayName, locale: optStr(from.language_code) };
}

function decodeMessage(m: JsonObject, path: string, scope: Scope, result: DecodeResult, edited: boolean): void {
  const chatId = str(obj(m.chat, `${path}.chat`).id, `${path}.chat.id`);
  const messageId = `${chatId}:${str(m.message_id, `${path}.message_id`)}`;
  // Service messages (members joining, pinned…) have no `from` of a customer.
  if (!isObject(m.from) || m.from.is_bot === true) return void result.ignored.push({ reason: 'message without a human sender', ref: messageId });
  const content = telegramContent(m, path);
  if (!content) return void result.ignored.push({ reason: 'message kind is not handled', ref: messageId });
  const reply = isObject(m.reply_to_message) ? optStr(m.reply_to_message.message_id) : undefined;
  // An edit reuses the message_id; a distinct id keeps it from being deduplicated as a redelivery.
  const editDate = edited ? str(m.edit_date, `${path}.edit_date`) : undefined;
  const customer = sender(m, path);
  const meta = { ...content.meta, ...(edited ? { edited: true, editOf: messageId } : {}), ...(chatId !== customer.channelUserId ? { groupChat: true } : {}) };
  result.messages.push(buildInbound(scope, chatId, customer, {
    ...content,
    channelMessageId: edited ? `${messageId}:edit:${editDate}` : messageId,
    timestamp: fromUnixSeconds(edited ? m.edit_date : m.date, `${path}.date`),
    replyToId: reply ? `${chatId}:${reply}` : undefined,
    meta: Object.keys(meta).length ? meta : undefined,
  }));
}

function decodeCallback(q: JsonObject, path: string, scope: Scope, result: DecodeResult, now: () => Date): void {
  const id = str(q.id, `${path}.id`);
  const customer = sender(q, path);
  const message = isObject(q.message) ? q.message : undefined;
  const chatId = message && isObject(message.chat) ? str(message.chat.id, `${path}.message.chat.id`) : customer.channelUserId;
  const data = optStr(q.data) ?? optStr(q.game_short_name) ?? 'callback';
  const title = message ? buttonTitle(message, data) : undefined;
  result.messages.push(buildInbound(scope, chatId, customer, {
    type: 'interactive',
    text: title,
    interactive: { kind: 'callback', id: data, title },
    channelMessageId: `callback:${id}`,
    // A callback query has no date of its own; the tap is "now" (ids stay deterministic regardless).
    timestamp: now().toISOString(),
    replyToId: message ? `${chatId}:${str(message.message_id, `${path}.message.message_id`)}` : undefined,
    // The bot must answer it (answerCallbackQuery) or the client shows a spinner for a while.
    meta: { callbackQueryId: id },
  }));
}

/**
 * A user's reaction to a message (Bot API `message_reaction`, sent only when `allowed_updates` asks for
 * it): the new emoji, or an empty one when the reaction was removed. Custom and paid reactions carry no
 * emoji we can read and count as none. Anonymous reactions in groups (`actor_chat`, no `user`) are not
 * a customer's and are ignored.
 */
function decodeReaction(r: JsonObject, path: string, scope: Scope, result: DecodeResult): void {
  const chatId = str(obj(r.chat, `${path}.chat`).id, `${path}.chat.id`);
  const target = `${chatId}:${str(r.message_id, `${path}.message_id`)}`;
  if (!isObject(r.user) || r.user.is_bot === true) return void result.ignored.push({ reason: 'reaction without a human user', ref: target });
  const customer = sender({ from: r.user }, path);
  const reactions: unknown[] = Array.isArray(r.new_reaction) ? (r.new_reaction as unknown[]) : [];
  const first: unknown = reactions.find((x) => isObject(x) && x.type === 'emoji');
  const emoji = isObject(first) ? (optStr(first.emoji) ?? '') : '';
  const date = str(r.date, `${path}.date`);
  result.messages.push(buildInbound(scope, chatId, customer, {
    type: 'reaction',
    reaction: { emoji, targetMessageId: target },
    // One change of one user's reaction to one message at one second: unique and stable on a redelivery.
    channelMessageId: `reaction:${target}:${customer.channelUserId}:${date}`,
    timestamp: fromUnixSeconds(r.date, `${path}.date`),
    meta: emoji ? undefined : { reactionRemoved: true },
  }));
}

function buttonTitle(message: JsonObject, data: string): string | undefined {
  const markup = isObject(message.reply_markup) ? message.reply_markup : undefined;
  const rows: unknown[] = Array.isArray(markup?.inline_keyboard) ? (markup.inline_keyboard as unknown[]) : [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const button: unknown = (row as unknown[]).find((b) => isObject(b) && b.callback_data === data);
    if (isObject(button)) return optStr(button.text);
  }
  return undefined;
}
