import { TelegramBotApiServer, startTelegramBotApiServer } from '../../../../test/contract-servers/telegram-bot-api';
import { TelegramConfigSchema } from '../config';
import { telegrafBotApi } from '../outbound/bot-api';
import { TelegramMediaSource } from './telegram-media.source';

const TOKEN = '987654321:unit-bot-token-abc';
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(3_000, 4)]);

describe('TelegramMediaSource against the Bot API contract server (real telegraf client)', () => {
  let server: TelegramBotApiServer;
  const source = (over: Record<string, string> = {}) => {
    const config = TelegramConfigSchema.parse({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'unit-telegram-webhook-secret', TELEGRAM_API_ROOT: server.url, ...over });
    return new TelegramMediaSource(config, telegrafBotApi(config));
  };
  beforeAll(async () => {
    server = await startTelegramBotApiServer({ token: TOKEN, files: { 'AgACAgQAAxkBAAIB': { content: PHOTO, path: 'photos/file_7.jpg' } } });
  });
  afterAll(() => server.close());

  it('calls getFile, then downloads the file path from the API root', async () => {
    const got = await source().fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' });
    expect(got.content.equals(PHOTO)).toBe(true);
    expect(server.requests.slice(-2).map((r) => r.path)).toEqual([`/bot${TOKEN}/getFile`, `/file/bot${TOKEN}/photos/file_7.jpg`]);
  });

  it('refuses a file over the limit from getFile’s file_size, before downloading it', async () => {
    const before = server.requests.length;
    await expect(source({ MEDIA_MAX_BYTES: '2048' }).fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'AgACAgQAAxkBAAIB' })).rejects.toMatchObject({ code: 'media_too_large' });
    expect(server.requests.length).toBe(before + 1);
  });

  it('types an unknown file_id as permanent', async () => {
    await expect(source().fetch({ kind: 'image', mime: 'image/jpeg', mediaId: 'nope' })).rejects.toMatchObject({ retryable: false });
  });
});
