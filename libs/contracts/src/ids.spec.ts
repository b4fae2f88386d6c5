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

  it('keeps the published ids of earlier releases (★: consumers dedupe on them across upgrades)', () => {
    expect(channelEventId('whatsapp', '106540352242922', 'wamid.HBgLMTY1MDUwNTUxMjM0FQIAEhgU3A0001TEXT')).toBe('bf06d367-5f20-5df8-8d9a-20408d6af186');
    expect(statusEventId('telegram', '987654321', '123456789:1365', 'delivered')).toBe('c88ae5e1-8678-5d25-b1a7-e373dc57a5e1');
    expect(conversationId('default', 'email', 'support@example.com', '<CAF=thread@mail.example.com>')).toBe('03c744fb-3233-5fb7-b8ab-8c800ef1f344');
    expect(derivedId('9b2f6c1e-3f0e-5d7a-8c3b-2f1e0d9c8b7a', 'bot-reply')).toBe('509e8bd7-97f1-56c3-8b4b-d536f3df15a5');
    expect(channelEventId('web', 'default', 'ñandú-日本-😀')).toBe('3686d582-9714-53b5-9e08-671017813ce3');
  });
});
