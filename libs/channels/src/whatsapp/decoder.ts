import { DeliveryStatus, InboundMessage, ValidationError } from '@omni/contracts';
import { DecodeContext, DecodeResult, Scope, buildInbound, buildStatus, emptyResult, resolveScope } from '../common/decode';
import { JsonObject, arr, fromUnixSeconds, isObject, num, obj, optArr, optStr, str } from '../common/guards';
import { decodeWhatsAppContent } from './content';

/**
 * WhatsApp Cloud API webhook → normalized events. Meta batches: one POST can hold several entries
 * (WABAs) × several changes (phone numbers) × several messages and statuses, and every one of them
 * must come out (the open-source anchors read only entry[0].changes[0].value.messages[0]).
 */
export function decodeWhatsAppWebhook(payload: unknown, ctx: DecodeContext): DecodeResult {
  const body = obj(payload, 'body');
  if (body.object !== 'whatsapp_business_account') {
    throw new ValidationError(`body.object: expected "whatsapp_business_account", got ${JSON.stringify(body.object)}`);
  }
  const result = emptyResult();
  arr(body.entry, 'entry').forEach((rawEntry, e) => {
    const entry = obj(rawEntry, `entry[${e}]`);
    arr(entry.changes, `entry[${e}].changes`).forEach((rawChange, c) => {
      const path = `entry[${e}].changes[${c}]`;
      const change = obj(rawChange, path);
      // Other subscribed fields (message_template_status_update, account_update…) are not conversation events.
      if (change.field !== 'messages') {
        result.ignored.push({ reason: `field ${String(change.field)} is not handled`, ref: path });
        return;
      }
      decodeChange(obj(change.value, `${path}.value`), `${path}.value`, ctx, result);
    });
  });
  return result;
}

function decodeChange(value: JsonObject, path: string, ctx: DecodeContext, result: DecodeResult): void {
  const phoneNumberId = str(obj(value.metadata, `${path}.metadata`).phone_number_id, `${path}.metadata.phone_number_id`);
  const scope = resolveScope(ctx, 'whatsapp', phoneNumberId);
  if (!scope) {
    result.ignored.push({ reason: `unknown WhatsApp phone number ${phoneNumberId}`, ref: path });
    return;
  }
  const names = new Map<string, string>();
  optArr(value.contacts, `${path}.contacts`).forEach((raw) => {
    if (!isObject(raw)) return;
    const name = isObject(raw.profile) ? optStr(raw.profile.name) : undefined;
    const waId = optStr(raw.wa_id);
    if (waId && name) names.set(waId, name);
  });
  optArr(value.messages, `${path}.messages`).forEach((raw, i) => {
    const decoded = decodeMessage(obj(raw, `${path}.messages[${i}]`), `${path}.messages[${i}]`, scope, names);
    if ('reason' in decoded) result.ignored.push(decoded);
    else result.messages.push(decoded);
  });
  optArr(value.statuses, `${path}.statuses`).forEach((raw, i) => {
    const decoded = decodeStatus(obj(raw, `${path}.statuses[${i}]`), `${path}.statuses[${i}]`, scope);
    if ('reason' in decoded) result.ignored.push(decoded);
    else result.statuses.push(decoded);
  });
}

function decodeMessage(m: JsonObject, path: string, scope: Scope, names: Map<string, string>): InboundMessage | { reason: string; ref: string } {
  const from = str(m.from, `${path}.from`);
  const id = str(m.id, `${path}.id`);
  const type = str(m.type, `${path}.type`);
  const content = decodeWhatsAppContent(type, m, path);
  if (!content) return { reason: `message type ${type} is not supported`, ref: id };
  const context = isObject(m.context) ? m.context : undefined;
  const meta = { ...content.meta, ...(context?.forwarded === true ? { forwarded: true } : {}) };
  return buildInbound(scope, from, { channelUserId: from, displayName: names.get(from) }, {
    ...content,
    channelMessageId: id,
    timestamp: fromUnixSeconds(m.timestamp, `${path}.timestamp`),
    replyToId: content.replyToId ?? optStr(context?.id),
    meta: Object.keys(meta).length ? meta : undefined,
  });
}

const STATES = new Set<DeliveryStatus['status']>(['sent', 'delivered', 'read', 'failed']);

function decodeStatus(s: JsonObject, path: string, scope: Scope): DeliveryStatus | { reason: string; ref: string } {
  const id = str(s.id, `${path}.id`);
  const state = str(s.status, `${path}.status`) as DeliveryStatus['status'];
  // `deleted` and `warning` exist in Meta's enum but say nothing about delivery.
  if (!STATES.has(state)) return { reason: `status ${state} is not a delivery state`, ref: id };
  const recipient = str(s.recipient_id, `${path}.recipient_id`);
  const firstError = optArr(s.errors, `${path}.errors`).find(isObject);
  return buildStatus(scope, recipient, {
    // The send carried our message id in biz_opaque_callback_data, which Meta echoes on every status;
    // without it (sent from elsewhere) the router matches on the wamid.
    messageId: optStr(s.biz_opaque_callback_data) ?? id,
    channelMessageId: id,
    status: state,
    timestamp: fromUnixSeconds(s.timestamp, `${path}.timestamp`),
    error: firstError ? statusError(firstError, path) : state === 'failed' ? { code: 'unknown', reason: 'failed without error details' } : undefined,
  });
}

function statusError(err: JsonObject, path: string): NonNullable<DeliveryStatus['error']> {
  const code = String(num(err.code, `${path}.errors[0].code`));
  const details = isObject(err.error_data) ? optStr(err.error_data.details) : undefined;
  const title = optStr(err.title) ?? optStr(err.message) ?? 'error';
  return { code, reason: details ? `${title}: ${details}` : title, retryable: RETRYABLE_STATUS_CODES.has(code) };
}

/** Asynchronous failures that a later resend may survive (throttling, Meta-side hiccups). */
const RETRYABLE_STATUS_CODES = new Set(['4', '80007', '130429', '131000', '131048', '131056', '133004']);
