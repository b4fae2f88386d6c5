import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudEvent, InboundMessage, TOPICS } from '@omni/contracts';
import type { EventPublisher } from '@omni/messaging';
import { MediaIngest, MemoryMediaStore } from '@omni/channel-kit';
import { BreakerRegistry } from '@omni/resilience';
import { TelegramMediaSource } from '../media/telegram-media.source';
import { TelegramConfigSchema } from '../config';
import type { BotApi } from '../outbound/bot-api';
import { ReceiveTelegramUpdateUseCase } from './receive-telegram-update.use-case';

const FIXTURES = resolve(__dirname, '../../../../libs/channels/fixtures/telegram');
const SECRET = 'unit-telegram-webhook-secret';
const config = TelegramConfigSchema.parse({ TELEGRAM_BOT_TOKEN: '987654321:unit-bot-token-abc', TELEGRAM_WEBHOOK_SECRET: SECRET });
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
  const useCase = new ReceiveTelegramUpdateUseCase(config, api, publisher, media, new TelegramMediaSource(config, api));
  const inbound = () => published.filter((p) => p.topic === TOPICS.inbound).flatMap((p) => p.events as CloudEvent<InboundMessage>[]);
  return { useCase, inbound, calls };
}

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
});
