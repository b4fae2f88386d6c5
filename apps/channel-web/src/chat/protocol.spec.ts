import { ClientFrameSchema, widgetTextsFor } from './protocol';

const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

function issues(frame: unknown): string[] {
  const r = ClientFrameSchema.safeParse(frame);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('ClientFrameSchema', () => {
  it.each([
    ['hello', { type: 'hello' }],
    ['hello with a token, name and locale', { type: 'hello', token: TOKEN, displayName: 'Ana', locale: 'es-ES' }],
    ['message', { type: 'message', clientMessageId: 'c1234567', text: 'hola' }],
    ['ping', { type: 'ping' }],
    ['a thumbs-down', { type: 'reaction', messageId: 'a4d8c6e2-1f3b-5c7d-9e0f-123456789abc', emoji: '👎' }],
    ['a thumbs-up', { type: 'reaction', messageId: 'web:abc', emoji: '👍' }],
  ])('accepts %s', (_name, frame) => {
    expect(issues(frame)).toEqual([]);
  });

  it('trims the text and the display name', () => {
    expect(ClientFrameSchema.parse({ type: 'message', clientMessageId: 'c1234567', text: '  hi  ' })).toEqual({ type: 'message', clientMessageId: 'c1234567', text: 'hi' });
    expect(ClientFrameSchema.parse({ type: 'hello', token: TOKEN, displayName: ' Bo ' })).toMatchObject({ displayName: 'Bo' });
  });

  it('drops a client-chosen session id from a hello: it identifies nobody (issue 15 #3)', () => {
    expect(ClientFrameSchema.parse({ type: 'hello', sessionId: 'someone-elses-session-id' })).toEqual({ type: 'hello' });
  });

  it.each([
    ['an unknown type', { type: 'typing' }, 'type: '],
    ['no type', { token: TOKEN }, 'type: '],
    ['a token over 256 characters', { type: 'hello', token: 'x'.repeat(257) }, 'token: token is longer than 256 characters'],
    ['a token that is not a string', { type: 'hello', token: 42 }, 'token: '],
    ['a long display name', { type: 'hello', displayName: 'n'.repeat(81) }, 'displayName: '],
    ['a short client message id', { type: 'message', clientMessageId: 'c1', text: 'hi' }, 'clientMessageId: clientMessageId must be 8-64'],
    ['a blank text', { type: 'message', clientMessageId: 'c1234567', text: '   ' }, 'text: text is empty'],
    ['a text over 4000 characters', { type: 'message', clientMessageId: 'c1234567', text: 'a'.repeat(4001) }, 'text: text is longer than 4000 characters'],
    ['a non-string text', { type: 'message', clientMessageId: 'c1234567', text: 42 }, 'text: '],
    ['another emoji', { type: 'reaction', messageId: 'm1', emoji: '😂' }, 'emoji: emoji must be 👍 or 👎'],
    ['a reaction without message id', { type: 'reaction', emoji: '👍' }, 'messageId: '],
    ['a message id with a path in it', { type: 'reaction', messageId: '../x', emoji: '👍' }, 'messageId: messageId must be'],
  ])('refuses %s', (_name, frame, expected) => {
    const found = issues(frame);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((i) => i.startsWith(expected))).toBe(true);
  });

  it('refuses frames that are not objects', () => {
    expect(issues('ping')).not.toEqual([]);
    expect(issues(null)).not.toEqual([]);
    expect(issues([{ type: 'ping' }])).not.toEqual([]);
  });
});

describe('widgetTextsFor', () => {
  const texts = { en: { title: 'Help', greeting: 'Hi!', offline: 'Offline' }, 'pt-BR': { title: 'Ajuda', greeting: 'Olá!' }, pt_PT: { title: 'Apoio' } };

  it("picks the visitor's tag, then its language's variants, then English, text by text", () => {
    expect(widgetTextsFor(texts, 'pt-BR')).toEqual({ title: 'Ajuda', greeting: 'Olá!', offline: 'Offline' });
    expect(widgetTextsFor(texts, 'pt-PT')).toEqual({ title: 'Apoio', greeting: 'Olá!', offline: 'Offline' });
    expect(widgetTextsFor(texts, 'pt')).toEqual({ title: 'Ajuda', greeting: 'Olá!', offline: 'Offline' });
    expect(widgetTextsFor(texts, 'de-DE')).toEqual({ title: 'Help', greeting: 'Hi!', offline: 'Offline' });
    expect(widgetTextsFor(texts, undefined)).toEqual({ title: 'Help', greeting: 'Hi!', offline: 'Offline' });
  });

  it('is undefined without the setting', () => {
    expect(widgetTextsFor(undefined, 'en')).toBeUndefined();
    expect(widgetTextsFor({}, 'en')).toBeUndefined();
    expect(widgetTextsFor([], 'en')).toBeUndefined();
  });
});
