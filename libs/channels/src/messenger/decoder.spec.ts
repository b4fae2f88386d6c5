import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError, conversationId } from '@omni/contracts';
import { DecodeContext, toNewEvents } from '../common/decode';
import { decodeMessengerWebhook } from './decoder';

const DIR = join(__dirname, '../../fixtures/messenger');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, name), 'utf8'));
const ctx: DecodeContext = { tenantId: 't1', region: 'eu-1' };
const PAGE = '104567891234567';
const PSID = '6543210987654321';
const mid = (s: string) => `m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P${s}`;
const one = (name: string) => {
  const r = decodeMessengerWebhook(fixture(name), ctx);
  expect(r.messages).toHaveLength(1);
  return r.messages[0];
};

describe('decodeMessengerWebhook', () => {
  it('decodes text into the customer thread of the page', () => {
    expect(one('text.json')).toMatchObject({
      channel: 'messenger', accountId: PAGE, conversationId: conversationId('t1', 'messenger', PAGE, PSID),
      customer: { channelUserId: PSID },
      message: { channelMessageId: mid('TEXT'), type: 'text', text: 'hello, world!', timestamp: '2025-06-08T20:59:43.000Z' },
    });
  });

  it('decodes quick replies and reply_to', () => {
    expect(one('quick-reply.json').message).toMatchObject({ type: 'interactive', text: 'Red', interactive: { kind: 'quick_reply', id: 'COLOR_RED', title: 'Red' } });
    expect(one('reply-to.json').message.replyToId).toBe(mid('OUT1'));
  });

  it.each([
    ['image.json', 'image', 'image'],
    ['video.json', 'video', 'video'],
    ['audio.json', 'audio', 'audio'],
    ['file.json', 'document', 'document'],
    ['sticker.json', 'sticker', 'sticker'],
  ])('decodes attachment %s', (file, type, kind) => {
    const m = one(file).message;
    expect(m.type).toBe(type);
    expect(m.attachments).toEqual([expect.objectContaining({ kind, url: expect.stringMatching(/^https:\/\/[\w.]+\.(fbcdn\.net|fbsbx\.com)\//) })]);
  });

  it('turns no echo of the page own messages into an event, and keeps the one naming our key (metadata) as the provider\'s word it took that send', () => {
    const r = decodeMessengerWebhook(fixture('echo.json'), ctx);
    expect(r.messages).toEqual([]);
    expect(r.ignored).toEqual([{ reason: 'echo of a page message', ref: mid('ECHO') }]);
    expect(r.echoes).toEqual([{ accountId: PAGE, messageId: 'msg-0001', channelMessageId: mid('ECHO') }]);
  });

  it('keeps no echo without metadata (a human in the Page inbox, another app) or with more than the Send API allows', () => {
    const echo = (metadata: unknown) => {
      const body = fixture('echo.json') as { entry: { messaging: { message: Record<string, unknown> }[] }[] };
      const m = body.entry[0].messaging[0].message;
      if (metadata === undefined) delete m.metadata;
      else m.metadata = metadata;
      return decodeMessengerWebhook(body, ctx);
    };
    expect(echo(undefined).echoes).toBeUndefined();
    expect(echo('').echoes).toBeUndefined();
    expect(echo('x'.repeat(1_001)).echoes).toBeUndefined();
    expect(echo('x'.repeat(1_000)).echoes).toHaveLength(1);
    expect(echo(undefined).ignored).toEqual([{ reason: 'echo of a page message', ref: mid('ECHO') }]);
  });

  it('decodes postbacks as interactive messages', () => {
    expect(one('postback.json').message).toMatchObject({
      channelMessageId: mid('PB'), type: 'interactive', text: 'Talk to an agent', interactive: { kind: 'postback', id: 'HUMAN_HANDOFF' },
    });
  });

  it('decodes reactions and their removal on our message', () => {
    expect(one('reaction.json').message).toMatchObject({ type: 'reaction', reaction: { emoji: '\u2764\uFE0F', targetMessageId: mid('OUT1') } });
    const removed = one('reaction-removed.json').message;
    expect(removed).toMatchObject({ type: 'reaction', reaction: { emoji: '' }, meta: { reactionRemoved: true } });
    expect(removed.channelMessageId).not.toBe(one('reaction.json').message.channelMessageId);
  });

  it('decodes delivery per mid and read as a watermark status', () => {
    const d = decodeMessengerWebhook(fixture('delivery.json'), ctx).statuses;
    expect(d.map((s) => [s.status, s.channelMessageId])).toEqual([['delivered', mid('OUT1')], ['delivered', mid('OUT2')]]);
    const [read] = decodeMessengerWebhook(fixture('read.json'), ctx).statuses;
    expect(read).toMatchObject({ status: 'read', messageId: 'watermark:1749416393500', conversationId: conversationId('t1', 'messenger', PAGE, PSID) });
  });

  it('decodes every entry and messaging event of a batched webhook, with stable ids', () => {
    const r = decodeMessengerWebhook(fixture('batched.json'), ctx);
    expect(r.messages.map((m) => [m.accountId, m.customer.channelUserId, m.message.type])).toEqual([
      [PAGE, PSID, 'text'], [PAGE, '7654321098765432', 'text'], ['109876543210123', '7654321098765432', 'interactive'],
    ]);
    expect(r.statuses.map((s) => s.channelMessageId)).toEqual([mid('OUT3')]);
    expect(r.ignored).toHaveLength(1);
    const ids = toNewEvents(r).map((e) => e.id);
    expect(toNewEvents(decodeMessengerWebhook(fixture('batched.json'), ctx)).map((e) => e.id)).toEqual(ids);
    expect(r.messages[2].message.channelMessageId).toBe('postback:7654321098765432:1749416399004');
  });

  it('rejects malformed payloads with a reason', () => {
    expect(() => decodeMessengerWebhook({ object: 'whatsapp_business_account', entry: [] }, ctx)).toThrow(/expected "page"/);
    expect(() => decodeMessengerWebhook({ object: 'page', entry: [{ id: PAGE, messaging: [{ sender: {}, timestamp: 1 }] }] }, ctx)).toThrow(ValidationError);
    expect(() => decodeMessengerWebhook({ object: 'page', entry: [{ id: PAGE, messaging: [{ sender: { id: PSID }, timestamp: 1, message: { mid: 'm_1' } }] }] }, ctx)).toThrow(/without text or attachments/);
  });

  it('reports standby events (another app owns the thread) as ignored', () => {
    const body = { object: 'page', entry: [{ id: PAGE, time: 1, standby: [{ sender: { id: PSID }, recipient: { id: PAGE }, timestamp: 1, message: { mid: 'm_s', text: 'x' } }] }] };
    expect(decodeMessengerWebhook(body, ctx)).toEqual({ messages: [], statuses: [], ignored: [{ reason: '1 standby event(s): another app owns the thread', ref: 'entry[0]' }] });
  });

  it('decodes every fixture in the folder', () => {
    for (const f of readdirSync(DIR)) {
      const r = decodeMessengerWebhook(fixture(f), ctx);
      expect(r.messages.length + r.statuses.length + r.ignored.length).toBeGreaterThan(0);
    }
  });
});
