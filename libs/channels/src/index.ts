// Common building blocks
export { SignatureError, failedStatusError } from './common/errors';
export { statusRank, advanceStatus } from './common/status';
export { verifyHubSignature, verifyHubHandshake, hubSignature, constantTimeEquals } from './common/hub';
export type { HandshakeQuery } from './common/hub';
export { inboundEventId, statusEventIdOf, eventSource, toNewEvents } from './common/decode';
export type { AccountRef, DecodeContext, DecodeResult, IgnoredItem, ChannelEvent, SendEcho } from './common/decode';
export { canSendFreeText } from './common/window';
export type { AuthorKind, WindowRules, WindowDecision } from './common/window';
export { splitText, withRateLimits } from './common/capabilities';
export type { ChannelCapabilities, RateLimit } from './common/capabilities';
export { TemplateRegistry, languageChain, normalizeLanguage } from './common/templates';
export type { TemplateDef, TemplateStatus } from './common/templates';
export { parseRetryAfter } from './common/retry-after';
export type { HeaderBag } from './common/retry-after';
export type { ProviderRequest } from './common/request';

// WhatsApp Cloud API
export { WhatsAppVerifier } from './whatsapp/verifier';
export type { WhatsAppVerifierConfig } from './whatsapp/verifier';
export { decodeWhatsAppWebhook } from './whatsapp/decoder';
export { encodeWhatsApp } from './whatsapp/encoder';
export type { WhatsAppEncoderConfig } from './whatsapp/encoder';
export { mapWhatsAppError } from './whatsapp/errors';
export { WHATSAPP_CAPABILITIES, canSendWhatsAppFreeText, planWhatsAppSend, templateParam } from './whatsapp/capabilities';
export type { WhatsAppSendPlan } from './whatsapp/capabilities';

// Messenger
export { MessengerVerifier } from './messenger/verifier';
export type { MessengerVerifierConfig } from './messenger/verifier';
export { decodeMessengerWebhook } from './messenger/decoder';
export { MESSENGER_MAX_METADATA, encodeMessenger, messengerRequestCount } from './messenger/encoder';
export type { MessengerEncoderConfig, MessengerWindow } from './messenger/encoder';
export { mapMessengerError } from './messenger/errors';
export { MESSENGER_CAPABILITIES, canSendMessengerFreeText } from './messenger/capabilities';

// Telegram
export { TelegramVerifier, telegramBotId } from './telegram/verifier';
export type { TelegramVerifierConfig } from './telegram/verifier';
export { decodeTelegramUpdate } from './telegram/decoder';
export type { TelegramDecodeContext } from './telegram/decoder';
export { encodeTelegram, encodeTelegramCallbackAnswer, telegramPath } from './telegram/encoder';
export { mapTelegramError } from './telegram/errors';
export { TELEGRAM_CAPABILITIES } from './telegram/capabilities';

// Email
export { decodeEmail, emailAttachmentBlobs, senderThreadKey } from './email/decoder';
export type { EmailDecodeContext } from './email/decoder';
export type { MailLike, MailAddress, MailAddressObject, MailAttachment } from './email/mail';
export { addresses as mailAddresses } from './email/mail';
export { stripReplyText } from './email/reply-text';
export { autoReplyReason } from './email/auto-reply';
export { encodeEmail } from './email/encoder';
export type { EmailEncoderConfig, EmailThread, EmailMessage } from './email/encoder';
export { mapSmtpError } from './email/errors';
export { EMAIL_CAPABILITIES } from './email/capabilities';

// WhatsApp linked device (whatsapp-web.js)
export { decodeWhatsAppWebMessage, decodeWhatsAppWebReaction, decodeWhatsAppWebAck, webUserId, webChatId } from './whatsapp-web/decoder';
export type { WebMessageLike, WebReactionLike, WebDecoded } from './whatsapp-web/decoder';
