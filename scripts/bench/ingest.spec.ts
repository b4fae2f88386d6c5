import {
  MessengerVerifier, TelegramVerifier, WhatsAppVerifier, decodeMessengerWebhook, decodeTelegramUpdate, decodeWhatsAppWebhook, telegramBotId,
} from '@omni/channels';
import { ACCOUNTS, INGEST_CHANNELS, IngestChannel, SECRETS, TELEGRAM_BOT_TOKEN, Webhook, channelEnv, webhookFactory } from './ingest';

/** What the channel app does with a webhook, up to the events: a benchmark of 401s or 400s would measure nothing. */
function accept(channel: IngestChannel, w: Webhook) {
  const ctx = { tenantId: 'default', region: 'local', resolveAccount: (id: string) => (id === ACCOUNTS[channel] ? { accountId: id } : undefined) };
  const payload: unknown = JSON.parse(w.body);
  switch (channel) {
    case 'whatsapp':
      new WhatsAppVerifier({ appSecret: SECRETS.whatsapp, verifyToken: 'unused-here' }).verifySignature(w.body, w.headers['x-hub-signature-256']);
      return decodeWhatsAppWebhook(payload, ctx);
    case 'messenger':
      new MessengerVerifier({ appSecret: SECRETS.messenger, verifyToken: 'unused-here' }).verifySignature(w.body, w.headers['x-hub-signature-256']);
      return decodeMessengerWebhook(payload, ctx);
    case 'telegram':
      new TelegramVerifier({ secretToken: SECRETS.telegram }).verify(w.headers['x-telegram-bot-api-secret-token']);
      return decodeTelegramUpdate(payload, { ...ctx, botId: telegramBotId(TELEGRAM_BOT_TOKEN) });
  }
}

describe('bench webhook payloads', () => {
  it.each(INGEST_CHANNELS)('%s: signed as the app verifies, one new text message each', (channel) => {
    const make = webhookFactory(channel, 'spec-run');
    const results = [0, 1, 1_000_001].map((n) => accept(channel, make(n)));
    for (const r of results) {
      expect(r.ignored).toEqual([]);
      expect(r.messages).toHaveLength(1);
      expect(r.messages[0].message.type).toBe('text');
    }
    const ids = results.map((r) => r.messages[0].message.channelMessageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(INGEST_CHANNELS)('%s: a tampered body fails the check', (channel) => {
    const w = webhookFactory(channel, 'spec-run')(7);
    const tampered = { ...w, body: w.body.replace(/"(text|body)":"/, '"$1":"x') };
    if (channel === 'telegram') {
      // Telegram signs nothing: only the secret token header is checked.
      expect(() => accept(channel, { ...w, headers: { ...w.headers, 'x-telegram-bot-api-secret-token': 'wrong-secret-of-some-length' } })).toThrow();
    } else {
      expect(tampered.body).not.toBe(w.body);
      expect(() => accept(channel, tampered)).toThrow();
    }
  });

  it.each(INGEST_CHANNELS)('%s: the app env carries the same secrets', (channel) => {
    expect(Object.values(channelEnv(channel))).toContain(channel === 'telegram' ? SECRETS.telegram : SECRETS[channel]);
  });
});
