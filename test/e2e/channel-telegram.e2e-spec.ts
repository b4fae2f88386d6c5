import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection, createConnection } from 'mongoose';
import { AppName, RunningApp, startApp, stackEnv } from '../support/apps';
import { mongoUri, uniqueName, waitFor } from '../support/env';
import { nextTelegramUpdateId, telegramTextUpdate } from '../support/webhooks';
import { TelegramBotApiServer, startTelegramBotApiServer } from '../contract-servers/telegram-bot-api';

const TOKEN = '7000000123:e2e-bot-token-AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'e2e-telegram-webhook-secret';
const BOT_ID = '7000000123';
const SEND_PATH = `/bot${TOKEN}/sendMessage`;
const REPLY = 'Hi! 👋 How can I help you today? I can check an order, delivery times, payments and returns.';
const ROOT = resolve(__dirname, '../..');

const newChat = () => String(100_000_000 + Math.floor(Math.random() * 8e8));

const textUpdate = (chat: string, messageId: number, text: string) => telegramTextUpdate(chat, messageId, text, { lastName: 'Silva', username: 'maria_s' });

/**
 * channel-telegram with the built router and ai-worker on the real Kafka and FerretDB, and the Bot
 * API contract server (with Telegram's published limits enforced) playing Telegram.
 */
describe('channel-telegram through the whole pipeline', () => {
  const name = uniqueName('tg');
  let bot: TelegramBotApiServer;
  let apps: RunningApp[] = [];
  let tg: RunningApp;
  let db: Connection;

  const post = (payload: unknown, secret: string | null = SECRET, raw?: string) =>
    fetch(`${tg.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: raw ?? JSON.stringify(payload),
    });
  const sendsTo = (chat: string) => bot.requests.filter((r) => r.path === SEND_PATH && String((r.body as { chat_id?: unknown }).chat_id) === chat);
  const messages = () => db.collection('messages');
  const inbound = (chat: string, messageId: number) => messages().findOne({ channelMessageId: `${chat}:${messageId}`, direction: 'inbound' });
  const sentReplyIn = (conversationId: unknown) => messages().findOne({ conversationId, direction: 'outbound', status: 'sent' });

  beforeAll(async () => {
    bot = await startTelegramBotApiServer({ token: TOKEN, rateLimit: { perChat: { limit: 1, intervalMs: 1_000 }, perBot: { limit: 30, intervalMs: 1_000 } } });
    const env = stackEnv({ prefix: name, db: name });
    const [router, ai] = await Promise.all([startApp('router', { ...env, INSTANCE_ID: 'router-1' }), startApp('ai-worker', env)]);
    tg = await startApp('channel-telegram' as AppName, { ...env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: bot.url, TELEGRAM_BREAKER_RESET_MS: '2000' });
    apps = [router, ai, tg];
    db = await createConnection(mongoUri(name)).asPromise();
  }, 90_000);

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await db?.close();
    await bot?.close();
  });

  it('turns an update into a bot reply at the Bot API, quoting the customer, and folds the status into the stored reply', async () => {
    const chat = newChat();
    const res = await post(textUpdate(chat, 11, 'hello'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, messages: 1, statuses: 0 });

    const send = await waitFor('the reply at the Bot API', async () => sendsTo(chat)[0], 20_000);
    expect(send.body).toMatchObject({ chat_id: chat, text: REPLY, reply_parameters: { message_id: 11 } });
    const stored = await waitFor('the inbound message stored', async () => inbound(chat, 11), 10_000);
    expect(stored).toMatchObject({ channel: 'telegram', accountId: BOT_ID, text: 'hello' });
    const reply = await waitFor('reply stored as sent', async () => sentReplyIn(stored.conversationId), 10_000);
    expect(reply.providerMessageId).toBe(`${chat}:1001`);
    expect((reply.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['sent']);
  });

  it('reads a 👍 message_reaction on the bot’s reply as a thumbs-up, without another reply', async () => {
    const chat = newChat();
    expect((await post(textUpdate(chat, 21, 'hello'))).status).toBe(200);
    const stored = await waitFor('the inbound message stored', async () => inbound(chat, 21), 20_000);
    const reply = await waitFor('reply stored as sent', async () => sentReplyIn(stored.conversationId), 20_000);
    const [, messageId] = String(reply.providerMessageId).split(':');
    // Bot API MessageReactionUpdated, as sent when allowed_updates includes message_reaction.
    const user = { id: Number(chat), is_bot: false, first_name: 'Maria', language_code: 'en' };
    const res = await post({
      update_id: nextTelegramUpdateId(),
      message_reaction: {
        chat: { id: Number(chat), first_name: 'Maria', type: 'private' }, message_id: Number(messageId), user, date: Math.floor(Date.now() / 1000),
        old_reaction: [], new_reaction: [{ type: 'emoji', emoji: '👍' }],
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, messages: 1 });
    await waitFor('thumbs-up on the prediction log', async () => db.collection('nlu_predictions').findOne({ _id: stored._id, outcome: 'thumbs_up' }), 15_000);
    expect((await db.collection('bot_turns').findOne({ _id: stored._id }))?.feedback).toBe('up');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(chat)).toHaveLength(1);
  });

  it('stores an update delivered three times once and replies once', async () => {
    const chat = newChat();
    const update = textUpdate(chat, 21, 'hello');
    for (let i = 0; i < 3; i++) expect((await post(update)).status).toBe(200);
    await waitFor('the reply', async () => sendsTo(chat).length > 0, 20_000);
    await new Promise((r) => setTimeout(r, 1_500)); // let a duplicate surface before counting
    expect(await messages().countDocuments({ channelMessageId: `${chat}:21` })).toBe(1);
    expect(sendsTo(chat)).toHaveLength(1);
  });

  it('refuses a missing or wrong secret token (401) and malformed updates (400), producing nothing', async () => {
    const chat = newChat();
    expect((await post(textUpdate(chat, 31, 'hello'), null)).status).toBe(401);
    expect((await post(textUpdate(chat, 31, 'hello'), 'not-the-secret-token')).status).toBe(401);
    expect((await post(undefined, SECRET, '{"update_id":')).status).toBe(400);
    const bad = await post({ update_id: 1, message: { message_id: 32, chat: {}, date: 1 } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'validation_failed', reason: expect.stringContaining('chat.id') });

    // Same chat = same partition: once a later valid update is stored, a produced rejected one would be too.
    expect((await post(textUpdate(chat, 33, 'hello'))).status).toBe(200);
    await waitFor('the valid message stored', async () => inbound(chat, 33), 15_000);
    expect(await inbound(chat, 31)).toBeNull();
    await waitFor('the reply to the valid message', async () => sendsTo(chat).length === 1, 20_000);
  });

  it('spaces replies to one chat to Telegram limit of 1 message/s, never hitting a 429', async () => {
    const chat = newChat();
    for (const id of [41, 42, 43]) expect((await post(textUpdate(chat, id, 'hello'))).status).toBe(200);
    await waitFor('three replies', async () => sendsTo(chat).filter((r) => r.status === 200).length === 3, 25_000);
    const sends = sendsTo(chat);
    expect(sends.map((r) => r.status)).toEqual([200, 200, 200]);
    for (let i = 1; i < sends.length; i++) expect(sends[i].at - sends[i - 1].at).toBeGreaterThanOrEqual(950);
  });

  it('waits out a 429 with retry_after and then delivers the reply once', async () => {
    const chat = newChat();
    bot.inject({ kind: 'throttle', retryAfterSeconds: 1 });
    expect((await post(textUpdate(chat, 51, 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(chat).some((r) => r.status === 200), 20_000);
    const [throttled, accepted] = sendsTo(chat);
    expect(throttled.status).toBe(429);
    expect(accepted.at - throttled.at).toBeGreaterThanOrEqual(1_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(sendsTo(chat).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('retries 5xx answers and delivers once', async () => {
    const chat = newChat();
    bot.inject({ kind: 'server-error', status: 502 }, 2);
    expect((await post(textUpdate(chat, 61, 'hello'))).status).toBe(200);
    await waitFor('the reply accepted', async () => sendsTo(chat).some((r) => r.status === 200), 20_000);
    expect(sendsTo(chat).map((r) => r.status)).toEqual([502, 502, 200]);
    const stored = await waitFor('the inbound message stored', async () => inbound(chat, 61), 10_000);
    await waitFor('reply stored as sent', async () => sentReplyIn(stored.conversationId), 10_000);
  });

  it('opens the breaker when the Bot API keeps failing, then recovers and delivers each reply once', async () => {
    const chats = [newChat(), newChat(), newChat()];
    const state = async () => Number(new RegExp(`omni_breaker_state\\{breaker="telegram:${BOT_ID}"[^}]*\\} (\\d)`).exec(await (await fetch(`${tg.adminUrl}/metrics`)).text())?.[1]);
    const seen = new Set<number>();
    // Six failures in a row: past the volume threshold (5) at 100% errors.
    bot.inject({ kind: 'server-error', status: 502 }, 6);
    for (const [i, chat] of chats.entries()) expect((await post(textUpdate(chat, 71 + i, 'hello'))).status).toBe(200);
    await waitFor('every reply accepted', async () => {
      seen.add(await state());
      return chats.every((c) => sendsTo(c).some((r) => r.status === 200));
    }, 25_000, 100);
    expect(seen).toContain(2); // open: sends held for the reset timeout instead of hammering Telegram
    expect(await state()).toBe(0); // the trial send after the reset succeeded and closed it
    const all = chats.flatMap(sendsTo);
    expect(all.filter((r) => r.status === 502)).toHaveLength(6);
    // The failure that opened it and the next attempt are a reset timeout (2 s) apart, not the ~1 s of the chat limit.
    const failures = all.filter((r) => r.status === 502).map((r) => r.at);
    expect(Math.max(...failures.slice(1).map((t, i) => t - failures[i]))).toBeGreaterThanOrEqual(1_900);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const chat of chats) expect(sendsTo(chat).filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('npm run telegram:set-webhook registers the webhook with the secret token', async () => {
    const { stdout } = await promisify(execFile)(resolve(ROOT, 'node_modules/.bin/tsx'), ['scripts/telegram-set-webhook.ts', '--url', 'https://gateway.example.com/webhooks/telegram'], {
      cwd: ROOT,
      env: { ...process.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: bot.url },
    });
    expect(stdout).toContain('webhook set to https://gateway.example.com/webhooks/telegram');
    expect(stdout).not.toContain(TOKEN.split(':')[1]);
    const call = bot.requests.find((r) => r.path === `/bot${TOKEN}/setWebhook`);
    expect(call?.body).toMatchObject({ url: 'https://gateway.example.com/webhooks/telegram', secret_token: SECRET, allowed_updates: ['message', 'edited_message', 'callback_query', 'message_reaction'] });
  });
});
