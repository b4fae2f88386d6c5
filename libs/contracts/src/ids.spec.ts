import { channelEventId, conversationId, derivedId, statusEventId } from './ids';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministic ids', () => {
  it('gives the same channel event the same id (a webhook delivered twice is one event)', () => {
    const a = channelEventId('whatsapp', 'acc-1', 'wamid.1');
    expect(a).toMatch(UUID_V5);
    expect(channelEventId('whatsapp', 'acc-1', 'wamid.1')).toBe(a);
  });

  it.each([
    ['channel', 'telegram', 'acc-1', 'wamid.1'],
    ['account', 'whatsapp', 'acc-2', 'wamid.1'],
    ['message', 'whatsapp', 'acc-1', 'wamid.2'],
  ])('changes with the %s', (_what, channel, account, message) => {
    expect(channelEventId(channel, account, message)).not.toBe(channelEventId('whatsapp', 'acc-1', 'wamid.1'));
  });

  it('keeps statuses of one message apart by status, and apart from the message event', () => {
    const sent = statusEventId('whatsapp', 'acc-1', 'wamid.1', 'sent');
    expect(statusEventId('whatsapp', 'acc-1', 'wamid.1', 'sent')).toBe(sent);
    expect(statusEventId('whatsapp', 'acc-1', 'wamid.1', 'read')).not.toBe(sent);
    expect(sent).not.toBe(channelEventId('whatsapp', 'acc-1', 'wamid.1'));
  });

  it('names one conversation per tenant, channel, account and thread', () => {
    const c = conversationId('t1', 'web', 'site', 'sess');
    expect(conversationId('t1', 'web', 'site', 'sess')).toBe(c);
    expect(conversationId('t2', 'web', 'site', 'sess')).not.toBe(c);
    expect(conversationId('t1', 'web', 'site', 'sess-2')).not.toBe(c);
  });

  it('derives one id per parent and purpose', () => {
    const reply = derivedId('m-1', 'bot-reply');
    expect(reply).toMatch(UUID_V5);
    expect(derivedId('m-1', 'bot-reply')).toBe(reply);
    expect(derivedId('m-1', 'ai-request')).not.toBe(reply);
    expect(derivedId('m-2', 'bot-reply')).not.toBe(reply);
  });
});
