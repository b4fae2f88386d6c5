import { TelegramBotApiServer, startTelegramBotApiServer } from '../../../../test/contract-servers/telegram-bot-api';
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import type { InboundMessage } from '@omni/contracts';
import { TelegramConfigSchema } from '../config';
import { telegrafBotApi } from '../outbound/bot-api';
import { memoryTelegramBots } from '../accounts/telegram-bots.testing';
import { TelegramMediaSource } from './telegram-media.source';

const TOKEN = '987654321:unit-bot-token-abc';
const OTHER_TOKEN = '555000111:other-bot-token-xyz';
/** The file came in a message to this bot (its file_id is valid only for it). */
const to = (accountId: string) => ({ accountId }) as InboundMessage;
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(3_000, 4)]);

describe('TelegramMediaSource against the Bot API contract server (real telegraf client)', () => {
  let server: TelegramBotApiServer;
  const source = (over: Record<string, string> = {}) => {
    const config = TelegramConfigSchema.parse({ SECRETS_KEK: DEMO_SECRETS_KEK, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'unit-telegram-webhook-secret', TELEGRAM_API_ROOT: server.url, ...over });
    const { bots, connect } = memoryTelegramBots(config, (token) => telegrafBotApi({ ...config, TELEGRAM_BOT_TOKEN: token }));
    return { source: new TelegramMediaSource(config, bots), connect };
  };
  beforeAll(async () => {
    server = await startTelegramBotApiServer({ tokens: [TOKEN, OTHER_TOKEN], files: { 'AgACAgQAAxkBAAIB': { content: PHOTO, path: 'photos/file_7.jpg' } } });
  });
  afterAll(() => server.close());

  it('calls getFile, then downloads the file path from the API root', async () => {
    const got = await source().source.fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' }, to('987654321'));
    expect(got.content.equals(PHOTO)).toBe(true);
    expect(server.requests.slice(-2).map((r) => r.path)).toEqual([`/bot${TOKEN}/getFile`, `/file/bot${TOKEN}/photos/file_7.jpg`]);
  });

  it('uses the token of the bot the message came to', async () => {
    const s = source();
    await s.connect(OTHER_TOKEN, 'globex', 'globex-webhook-secret-01');
    const got = await s.source.fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' }, to('555000111'));
    expect(got.content.equals(PHOTO)).toBe(true);
    expect(server.requests.slice(-2).map((r) => r.path)).toEqual([`/bot${OTHER_TOKEN}/getFile`, `/file/bot${OTHER_TOKEN}/photos/file_7.jpg`]);
    await expect(s.source.fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' }, to('444000111'))).rejects.toMatchObject({ code: 'media_unavailable' });
  });

  it('refuses a file over the limit from getFile’s file_size, before downloading it', async () => {
    const before = server.requests.length;
    await expect(source({ MEDIA_MAX_BYTES: '2048' }).source.fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' }, to('987654321'))).rejects.toMatchObject({ code: 'media_too_large' });
    expect(server.requests.length).toBe(before + 1);
  });

  it('types an unknown file_id as permanent', async () => {
    await expect(source().source.fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'nope' }, to('987654321'))).rejects.toMatchObject({ retryable: false });
  });
});
