import type { AiRequest } from '@omni/contracts';
import { KeywordAnswerer } from './keyword-answerer';

function request(text: string, extra: Partial<AiRequest> = {}): AiRequest {
  return {
    tenantId: 't1', region: 'eu', channel: 'web', accountId: 'site', conversationId: 'conv-1', messageId: 'm-1',
    text, messageType: 'text', history: [], ...extra,
  };
}

const answerer = new KeywordAnswerer();
const understand = (text: string, extra: Partial<AiRequest> = {}) => answerer.understand(request(text, extra));

describe('KeywordAnswerer', () => {
  it.each([
    ['Hello there', 'greeting', 'Hello! How can I help you today?'],
    ['good morning', 'greeting', 'Hello! How can I help you today?'],
    ['Where is my order?', 'order_status', 'You can track your order'],
    ['How long does shipping take?', 'shipping_time', 'Standard shipping takes 3–5 business days'],
    ['I want a refund', 'refund', 'Refunds are issued within 5 business days'],
    ['can I talk to a human', 'talk_to_human', 'I will connect you with a person'],
    ['thank you!', 'thanks', 'You are welcome!'],
  ])('answers %p in English as %s', async (text, intent, answer) => {
    const u = await understand(text);
    expect(u).toMatchObject({ language: 'en', intent: { name: intent, confidence: 0.9 }, abstained: false, engine: 'keyword-v1', alternatives: [], entities: [] });
    expect(u.answer?.text.startsWith(answer)).toBe(true);
    expect(u.answer?.articleId).toBe(`faq:${intent}`);
    expect(u.reasons).toEqual([`keyword match for ${intent} (en)`]);
  });

  it.each([
    ['¡Hola!', 'greeting', '¡Hola! ¿En qué puedo ayudarte hoy?'],
    ['buenas tardes', 'greeting', '¡Hola! ¿En qué puedo ayudarte hoy?'],
    ['quiero saber el estado del pedido', 'order_status', 'Puedes seguir tu pedido'],
    ['¿Cuánto tarda el envío?', 'shipping_time', 'El envío estándar tarda'],
    ['necesito una devolución', 'refund', 'Los reembolsos se emiten'],
    ['quiero hablar con un agente', 'talk_to_human', 'Te comunico con una persona'],
    ['muchas gracias', 'thanks', '¡De nada!'],
  ])('answers %p in Spanish as %s', async (text, intent, answer) => {
    const u = await understand(text);
    expect(u).toMatchObject({ language: 'es', intent: { name: intent }, abstained: false });
    expect(u.answer?.text.startsWith(answer)).toBe(true);
  });

  it('matches Spanish keywords that end in an accented letter', async () => {
    const u = await understand('¿Dónde está?');
    expect(u).toMatchObject({ language: 'es', intent: { name: 'order_status' }, abstained: false });
    expect((await understand('y qué pasa')).language).toBe('es');
  });

  it('lowers the confidence and lists alternatives when several FAQs match', async () => {
    const u = await understand('hi, where is my order');
    expect(u.intent).toEqual({ name: 'greeting', confidence: 0.6 });
    expect(u.alternatives).toEqual([{ name: 'order_status', confidence: 0.3 }]);
  });

  it('abstains on gibberish with a fallback in the detected language', async () => {
    const en = await understand('qwzx blorf vrrk');
    expect(en).toMatchObject({ language: 'en', intent: null, abstained: true, reasons: ['no keyword matched'], alternatives: [] });
    expect(en.answer?.text).toMatch(/^Sorry, I did not understand/);
    const es = await understand('ñam ñam blorf');
    expect(es).toMatchObject({ language: 'es', intent: null, abstained: true });
    expect(es.answer?.text).toMatch(/^Perdona, no lo he entendido/);
  });

  it('abstains on a message without text and names its type', async () => {
    const u = await understand('   ', { messageType: 'image' });
    expect(u).toMatchObject({ intent: null, abstained: true, reasons: ['no text in a image message'] });
  });

  it('keeps the previous Spanish language for a reply without real words', async () => {
    expect((await understand('ok', { previousLanguage: 'es' })).language).toBe('es');
    expect((await understand('👍', { previousLanguage: 'es' })).language).toBe('es');
    expect((await understand('', { previousLanguage: 'es', messageType: 'sticker' })).answer?.text).toMatch(/^Perdona/);
  });

  it('switches to English when a previously Spanish customer writes English words', async () => {
    const u = await understand('hello again', { previousLanguage: 'es' });
    expect(u).toMatchObject({ language: 'en', intent: { name: 'greeting' } });
  });

  it('understands a keyword of the other language and answers in the detected one', async () => {
    const u = await understand('agente');
    expect(u).toMatchObject({ language: 'en', intent: { name: 'talk_to_human' } });
    expect(u.answer?.text).toBe('I will connect you with a person from our team.');
  });
});
