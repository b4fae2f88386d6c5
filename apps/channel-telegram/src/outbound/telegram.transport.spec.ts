import { FatalError, OutboundCommand, RetryableError } from '@omni/contracts';
import { TelegramBotApiServer, startTelegramBotApiServer } from '../../../../test/contract-servers/telegram-bot-api';
import { telegrafBotApi } from './bot-api';
import { TelegramTransport } from './telegram.transport';

const TOKEN = '987654321:unit-bot-token-abc';
/** A second bot, of another tenant. */
const TOKEN2 = '555000111:second-bot-token-xyz';
const CHAT = '123456789';

function command(overrides: Partial<OutboundCommand> = {}, text = 'Your order ships today'): OutboundCommand {
  return {
    tenantId: 'default', region: 'local', channel: 'telegram', accountId: '987654321', conversationId: 'conv-1', messageId: 'msg-1',
    recipient: { channelUserId: CHAT }, author: { kind: 'bot' }, createdAt: '2026-06-10T12:00:00.000Z',
    message: { type: 'text', text, attachments: [] },
    ...overrides,
  };
}

describe('TelegramTransport through telegraf against the Bot API contract server', () => {
  let bot: TelegramBotApiServer;
  let quoted: string | undefined;

  const transport = (timeoutMs = 1_000) =>
    new TelegramTransport(
      {
        bot: async (id: string) => {
          const token = [TOKEN, TOKEN2].find((t) => t.startsWith(`${id}:`));
          return token ? { tenantId: 't', accountId: id, webhookSecret: 'unused-here', api: telegrafBotApi({ TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: bot.url, TELEGRAM_HTTP_TIMEOUT_MS: timeoutMs }) } : undefined;
        },
      },
      { providerIdOf: async () => quoted },
      { partGapMs: 10 },
    );
  const bodies = () => bot.requests.map((r) => r.body as Record<string, unknown>);

  beforeAll(async () => {
    bot = await startTelegramBotApiServer({ tokens: [TOKEN, TOKEN2] });
  });
  afterAll(() => bot.close());
  beforeEach(() => {
    bot.reset();
    quoted = undefined;
  });

  it('sends text with sendMessage at /bot<token>/ and returns <chat>:<message id>', async () => {
    const out = await transport().send(command());
    expect(bot.requests[0].path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(bodies()[0]).toEqual({ chat_id: CHAT, text: 'Your order ships today' });
    expect(out.providerMessageId).toBe(`${CHAT}:1001`);
  });

  it('quotes the stored customer message by its Telegram id, never by ours', async () => {
    await transport().send(command({ replyToMessageId: 'our-hash-id' }));
    expect(bodies()[0].reply_parameters).toBeUndefined();
    quoted = `${CHAT}:1365`;
    await transport().send(command({ messageId: 'msg-2', replyToMessageId: 'our-hash-id' }));
    expect(bodies()[1].reply_parameters).toEqual({ message_id: 1365, allow_sending_without_reply: true });
  });

  it('sends buttons as an inline keyboard and media with its caption', async () => {
    await transport().send(command({ message: { type: 'interactive', text: 'Rate us', attachments: [], buttons: [{ id: 'rate:good', title: 'Good' }] } }));
    await transport().send(command({ messageId: 'msg-2', message: { type: 'image', text: 'Invoice', attachments: [{ kind: 'image', mime: 'image/png', url: 'https://cdn.example.com/i.png' }] } }));
    expect(bodies()[0].reply_markup).toEqual({ inline_keyboard: [[{ text: 'Good', callback_data: 'rate:good' }]] });
    expect(bot.requests[1].path).toBe(`/bot${TOKEN}/sendPhoto`);
    expect(bodies()[1]).toMatchObject({ photo: 'https://cdn.example.com/i.png', caption: 'Invoice' });
  });

  it('makes a 429 retryable with Telegram retry_after as the wait', async () => {
    bot.inject({ kind: 'throttle', retryAfterSeconds: 3 });
    const err = await transport().send(command()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_000 });
  });

  it('makes 5xx and timeouts retryable, and a blocked user a permanent failure with the provider code', async () => {
    bot.inject({ kind: 'server-error', status: 502 });
    await expect(transport().send(command())).rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    bot.inject({ kind: 'hang' });
    await expect(transport(200).send(command())).rejects.toMatchObject({ code: 'provider_timeout', retryable: true });
    bot.inject({ kind: 'error-code', code: 403 });
    const err = await transport().send(command()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect(err).toMatchObject({ code: 'recipient_blocked', details: { providerCode: '403', reason: 'Forbidden: bot was blocked by the user' } });
  });

  it('does not resend the parts already accepted when a later part is retried', async () => {
    const long = `${'a'.repeat(4000)} ${'b'.repeat(200)}`;
    const t = transport();
    bot.inject({ kind: 'delay', ms: 0 });
    bot.inject({ kind: 'server-error' });
    await expect(t.send(command({}, long))).rejects.toMatchObject({ retryable: true });
    await t.send(command({}, long));
    expect(bot.requests.map((r) => r.status)).toEqual([200, 502, 200]);
    expect((bodies()[2].text as string).startsWith('b')).toBe(true);
  });

  it('refuses a command for another bot', async () => {
    await expect(transport().send(command({ accountId: '42' }))).rejects.toMatchObject({ code: 'unknown_account' });
    expect(bot.requests).toHaveLength(0);
  });

  it('sends an agent’s stored file with sendDocument by its signed link, caption and keyboard on it', async () => {
    const link = `https://gateway.example.test/media-links/default/${'a'.repeat(64)}?exp=1781092800&sig=${'b'.repeat(64)}`;
    await transport().send(command({
      author: { kind: 'agent', id: 'ana' },
      message: { type: 'document', text: 'Your invoice', attachments: [{ kind: 'document', mime: 'application/pdf', storeId: 'a'.repeat(64), url: link, filename: 'invoice.pdf' }], buttons: [{ id: 'ok', title: 'Got it' }] },
    }));
    expect(bot.requests.map((r) => r.path)).toEqual([`/bot${TOKEN}/sendDocument`]);
    expect(bodies()[0]).toEqual({ chat_id: CHAT, document: link, caption: 'Your invoice', reply_markup: { inline_keyboard: [[{ text: 'Got it', callback_data: 'ok' }]] } });
  });

  it('sends each command through its own bot’s token, and refuses a bot nobody connected without a call', async () => {
    await transport().send(command({ accountId: '555000111', messageId: 'msg-b' }));
    await transport().send(command({ messageId: 'msg-a' }));
    expect(bot.requests.map((r) => [r.path, r.status])).toEqual([[`/bot${TOKEN2}/sendMessage`, 200], [`/bot${TOKEN}/sendMessage`, 200]]);
    await expect(transport().send(command({ accountId: '444', messageId: 'msg-c' }))).rejects.toMatchObject({ code: 'unknown_account', retryable: false });
    expect(bot.requests).toHaveLength(2);
  });
});
