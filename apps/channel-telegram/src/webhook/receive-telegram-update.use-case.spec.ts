import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudEvent, InboundMessage, TOPICS } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { MediaIngest, MemoryMediaStore } from '@omni/channel-kit';
import { BreakerRegistry } from '@omni/resilience';
import { TelegramMediaSource } from '../media/telegram-media.source';
import { TelegramConfigSchema } from '../config';
import type { BotApi } from '../outbound/bot-api';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { registry } from '@omni/telemetry';
import { memoryTelegramBots } from '../accounts/telegram-bots.testing';
import { ReceiveTelegramUpdateUseCase } from './receive-telegram-update.use-case';

const FIXTURES = resolve(__dirname, '../../../../libs/channels/fixtures/telegram');
const SECRET = 'unit-telegram-webhook-secret';
const config = TelegramConfigSchema.parse({ SECRETS_KEK: DEMO_SECRETS_KEK, TELEGRAM_BOT_TOKEN: '987654321:unit-bot-token-abc', TELEGRAM_WEBHOOK_SECRET: SECRET });
const fixture = (name: string) => Buffer.from(readFileSync(resolve(FIXTURES, `${name}.json`), 'utf8'));

function setup(opts: { failPublish?: boolean } = {}) {
  const published: { topic: string; events: CloudEvent[] }[] = [];
  const publisher = {
    publish: async (topic: string, events: CloudEvent | CloudEvent[]) => {
      if (opts.failPublish) throw new Error('broker down');
      published.push({ topic, events: Array.isArray(events) ? events : [events] });
    },
  } as unknown as EventPublisher;
  const calls: { method: string; payload: Record<string, unknown> }[] = [];
  const api: BotApi = { call: async (method, payload) => void calls.push({ method, payload }) };
  const store = new MemoryMediaStore();
  const media = new MediaIngest({ store, breakers: new BreakerRegistry(), limits: { maxBytes: 10_000, allowedTypes: ['image/*'] }, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, deadlineMs: 5_000, fetchesAtOnce: 4 });
  // The fake Bot API answers getFile with nothing: attachments are kept unstored (the source has its own spec).
  const { bots, connect } = memoryTelegramBots(config, () => api);
  const useCase = new ReceiveTelegramUpdateUseCase(config, bots, publisher, media, new TelegramMediaSource(config, bots));
  const inbound = () => published.filter((p) => p.topic === TOPICS.inbound).flatMap((p) => p.events as CloudEvent<InboundMessage>[]);
  return { useCase, inbound, calls, connect };
}

const unknownCount = async () =>
  (await registry.getSingleMetric('omni_webhook_unknown_account_items_total')?.get())?.values.find((v) => v.labels.channel === 'telegram')?.value ?? 0;

describe('ReceiveTelegramUpdateUseCase', () => {
  it('publishes a text update under the bot account with a deterministic id', async () => {
    const { useCase, inbound } = setup();
    expect(await useCase.execute({ rawBody: fixture('text'), secretToken: SECRET })).toEqual({ messages: 1, statuses: 0, ignored: 0 });
    await useCase.execute({ rawBody: fixture('text'), secretToken: SECRET });
    const [first, again] = inbound();
    expect(first.data).toMatchObject({ channel: 'telegram', accountId: '987654321', customer: { channelUserId: '123456789', displayName: 'Maria Silva' } });
    expect(first.data.message).toMatchObject({ type: 'text', channelMessageId: '123456789:1365', text: 'Olá, preciso de ajuda com meu pedido' });
    expect(again.id).toBe(first.id);
  });

  it.each([
    ['missing', undefined],
    ['wrong', 'another-secret-of-some-length'],
  ])('refuses a %s secret token before reading the body', async (_case, secretToken) => {
    const { useCase, inbound } = setup();
    await expect(useCase.execute({ rawBody: fixture('text'), secretToken })).rejects.toMatchObject({ code: 'signature_invalid' });
    expect(inbound()).toHaveLength(0);
  });

  it('refuses a body that is not JSON or not an update with a reason', async () => {
    const { useCase, inbound } = setup();
    await expect(useCase.execute({ rawBody: Buffer.from('{"update_id":'), secretToken: SECRET })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(useCase.execute({ rawBody: Buffer.from('{"message":{}}'), secretToken: SECRET })).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('update_id') });
    await expect(useCase.execute({ rawBody: undefined, secretToken: SECRET })).rejects.toMatchObject({ code: 'validation_failed' });
    expect(inbound()).toHaveLength(0);
  });

  it('turns a Kafka failure into a retryable error (503, Telegram redelivers)', async () => {
    const { useCase } = setup({ failPublish: true });
    await expect(useCase.execute({ rawBody: fixture('text'), secretToken: SECRET })).rejects.toMatchObject({ code: 'publish_failed', retryable: true });
  });

  it('answers a callback query after publishing the tap', async () => {
    const { useCase, inbound, calls } = setup();
    await useCase.execute({ rawBody: fixture('callback-query'), secretToken: SECRET });
    expect(inbound()[0].data.message).toMatchObject({ type: 'interactive', interactive: { id: 'rate:good', title: 'Good' } });
    expect(calls).toEqual([{ method: 'answerCallbackQuery', payload: { callback_query_id: '4382bfdwdsb323b2d9' } }]);
  });

  it('reports updates it does not handle instead of dropping them silently', async () => {
    const { useCase, inbound } = setup();
    const poll = Buffer.from(JSON.stringify({ update_id: 5, poll: { id: '1', question: 'q', options: [] } }));
    expect(await useCase.execute({ rawBody: poll, secretToken: SECRET })).toEqual({ messages: 0, statuses: 0, ignored: 1 });
    expect(inbound()).toHaveLength(0);
  });

  describe('with bots connected through the API (/webhooks/telegram/<botId>)', () => {
    const GLOBEX_SECRET = 'globex-webhook-secret-0001';

    it('decodes the update into the tenant of the bot its URL names, checked with that bot’s secret', async () => {
      const { useCase, inbound, connect } = setup();
      await connect('555000111:globex-bot-token-xyz', 'globex', GLOBEX_SECRET);
      await expect(useCase.execute({ rawBody: fixture('text'), secretToken: SECRET, botId: '555000111' })).rejects.toMatchObject({ code: 'signature_invalid' });
      expect(await useCase.execute({ rawBody: fixture('text'), secretToken: GLOBEX_SECRET, botId: '555000111' })).toMatchObject({ messages: 1 });
      const [e] = inbound();
      expect(e.data).toMatchObject({ tenantId: 'globex', accountId: '555000111' });
      expect(e.tenantid).toBe('globex');
    });

    it('counts an update for a bot nobody connected and produces nothing', async () => {
      const { useCase, inbound } = setup();
      const before = await unknownCount();
      expect(await useCase.execute({ rawBody: fixture('text'), secretToken: GLOBEX_SECRET, botId: '444000111' })).toEqual({ messages: 0, statuses: 0, ignored: 1 });
      expect(await unknownCount()).toBe(before + 1);
      expect(inbound()).toHaveLength(0);
    });
  });
});
