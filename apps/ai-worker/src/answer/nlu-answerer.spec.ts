import { MemoryMediaStore } from '@omni/channel-kit';
import { TenantModels } from '../nlu/tenant-models';
import { transcriberFromConfig } from '../provider/openai-compatible.transcriber';
import { fallbacks, InMemoryDatasets, aConfig, aRequest } from '../testing';
import type { AnswerDrafter, DraftRequest } from './answer-drafter.port';
import { NluAnswerer } from './nlu-answerer';
import type { Transcriber, TranscriptionRequest } from './transcriber.port';

class FakeDrafter implements AnswerDrafter {
  readonly name = 'fake-llm';
  readonly requests: DraftRequest[] = [];
  constructor(private readonly reply: (r: DraftRequest) => Promise<string>) {}
  draft(r: DraftRequest): Promise<string> {
    this.requests.push(r);
    return this.reply(r);
  }
}

let models: TenantModels;

beforeAll(async () => {
  models = new TenantModels(aConfig(), new InMemoryDatasets());
  await models.onModuleInit();
}, 30_000);

const offline = () => new NluAnswerer(models, fallbacks());

describe('NluAnswerer (the demo tenant model)', () => {
  it.each([
    ['en', 'hello', 'greeting'],
    ['es', 'quiero cancelar mi pedido', 'cancel_order'],
    ['pt', 'cadê meu pedido?', 'order_status'],
    ['fr', 'combien de temps pour la livraison ?', 'shipping_time'],
    ['de', 'ich möchte mein Geld zurück', 'refund'],
    ['ar', 'شكرا جزيلا', 'thanks'],
    ['th', 'ขอคุยกับพนักงานหน่อย', 'talk_to_human'],
    ['id', 'pembayaran saya gagal', 'payment_problem'],
    ['vi', 'đơn hàng của tôi ở đâu', 'order_status'],
    ['zh', '你好', 'greeting'],
  ])('answers in %s: %p is %s, with the KB article in that language', async (lang, text, intent) => {
    const u = await offline().understand(aRequest(text));
    expect(u).toMatchObject({ language: lang, intent: { name: intent }, abstained: false, engine: 'omni-nlu:demo' });
    expect(u.intent?.confidence).toBeGreaterThan(0.3);
    expect(u.answer?.articleId).toEqual(expect.any(String));
    expect(u.alternatives.length).toBeGreaterThan(0);
    expect(u.alternatives.every((a) => a.name !== intent)).toBe(true);
    expect(u.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^language: /), expect.stringMatching(/^answer: article /)]));
  });

  it('returns entities with spans, sentiment and the escalation signal', async () => {
    const text = 'This is the WORST service ever, order ORD-558213 is broken and I will call my lawyer';
    const u = await offline().understand(aRequest(text));
    const start = text.indexOf('ORD-');
    expect(u.entities).toEqual([{ type: 'order_number', value: 'ORD-558213', start, end: start + 10 }]);
    expect(u.sentiment).toMatchObject({ label: 'negative', escalate: true });
    expect(u.sentiment?.score).toBeLessThan(0);
  });

  it('abstains on gibberish: no intent to act on, the best guess first among the alternatives, an honest answer', async () => {
    const u = await offline().understand(aRequest('qwzx blorf vrrk'));
    expect(u).toMatchObject({ intent: null, abstained: true });
    expect(u.alternatives[0]?.confidence).toBeLessThan(0.3);
    expect(u.answer?.text).toMatch(/not sure I understood/);
    expect(u.reasons.some((r) => r.startsWith('intent: abstained'))).toBe(true);
  });

  it('keeps the conversation’s language for a reply without language of its own', async () => {
    expect((await offline().understand(aRequest('ok 👍', { previousLanguage: 'th' }))).language).toBe('th');
    expect((await offline().understand(aRequest('ok 👍', { previousLanguage: 'pt-BR' }))).language).toBe('pt');
  });

  it('uses the locale only when the text has no letters (a browser set to English does not make Spanish English)', async () => {
    expect((await offline().understand(aRequest('👍👍', { customerLocale: 'vi-VN' }))).language).toBe('vi');
    expect((await offline().understand(aRequest('quiero cancelar mi pedido', { customerLocale: 'en-US' }))).language).toBe('es');
  });

  it.each(['audio', 'image', 'video', 'document'] as const)('hands a %s without text to a person, saying why, in the conversation’s language', async (type) => {
    const u = await offline().understand(aRequest('', { messageType: type, previousLanguage: 'de' }));
    expect(u).toMatchObject({ language: 'de', intent: null, abstained: true, handoff: { reason: expect.stringContaining(`${type} message without text`) } });
    expect(u.answer?.text).toMatch(/Person aus unserem Team/);
  });

  it('answers a media message in the tenant’s default language when the hint is a language it does not serve', async () => {
    const u = await offline().understand(aRequest('', { messageType: 'image', customerLocale: 'ru-RU' }));
    expect(u.language).toBe('en');
    expect(u.answer?.text).toMatch(/^I cannot open voice notes/);
  });

  it('asks for words on a sticker, without a handoff', async () => {
    const u = await offline().understand(aRequest('', { messageType: 'sticker', customerLocale: 'es-ES' }));
    expect(u).toMatchObject({ language: 'es', intent: null, abstained: true, reasons: ['no text in a sticker message'] });
    expect(u.handoff).toBeUndefined();
    expect(u.answer?.text).toMatch(/^¿Me cuentas/);
  });
});

describe('NluAnswerer with a drafting provider', () => {
  const message = 'Hi, where is order ORD-483920? Mail me at jane.doe@example.com or call +49 151 23456789, I paid 49,99 €';

  it('sends only redacted text and restores the placeholders in the reply', async () => {
    const drafter = new FakeDrafter((r) => Promise.resolve(`Order ${/\[order_number_\d\]/.exec(r.article)?.[0] ?? '?'} is on its way; we will write to [email_1].`));
    const u = await new NluAnswerer(models, fallbacks(), drafter).understand(aRequest(message));
    expect(drafter.requests).toHaveLength(1);
    const sent = JSON.stringify(drafter.requests[0]);
    for (const secret of ['483920', 'jane.doe', 'example.com', '23456789', '151', '49,99']) expect(sent).not.toContain(secret);
    expect(drafter.requests[0]).toMatchObject({ language: 'en', intent: 'order_status', customerText: expect.stringContaining('[order_number_1]') });
    expect(u.answer).toEqual({ text: 'Order ORD-483920 is on its way; we will write to jane.doe@example.com.', articleId: 'order-status' });
    expect(u.reasons.at(-1)).toBe('answer: drafted by fake-llm from KB article order-status, personal data redacted');
  });

  it('keeps the offline KB answer when the provider fails', async () => {
    const drafter = new FakeDrafter(() => Promise.reject(new Error('ai-provider: circuit open')));
    const u = await new NluAnswerer(models, fallbacks(), drafter).understand(aRequest(message));
    const offlineAnswer = (await offline().understand(aRequest(message))).answer;
    expect(u.answer).toEqual(offlineAnswer);
    expect(u.answer?.text).toContain('ORD-483920');
    expect(u.reasons.at(-1)).toBe('answer: fake-llm unavailable (ai-provider: circuit open), offline KB answer');
  });

  it('never asks the provider when the engine abstained or for a media handoff', async () => {
    const drafter = new FakeDrafter(() => Promise.resolve('should not be used'));
    const answerer = new NluAnswerer(models, fallbacks(), drafter);
    await answerer.understand(aRequest('qwzx blorf vrrk'));
    await answerer.understand(aRequest('', { messageType: 'audio' }));
    expect(drafter.requests).toHaveLength(0);
  });
});

class FakeTranscriber implements Transcriber {
  readonly name = 'fake-stt';
  readonly requests: TranscriptionRequest[] = [];
  constructor(private readonly hear: (r: TranscriptionRequest) => Promise<string>) {}
  transcribe(r: TranscriptionRequest): Promise<string> {
    this.requests.push(r);
    return this.hear(r);
  }
}

describe('NluAnswerer with a transcription provider (voice notes)', () => {
  const media = new MemoryMediaStore();
  async function voice(tenantId = 'default', mime = 'audio/ogg; codecs=opus') {
    const bytes = Buffer.from(`voice-${Math.random()}`);
    const { storeId } = await media.put(tenantId, bytes, { mime, source: 'spec' });
    return { bytes, request: aRequest('', { tenantId, messageType: 'audio', previousLanguage: 'en', attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: 'x', storeId }] }) };
  }

  it('understands the transcript (its own language, not the conversation’s), answers it and returns it', async () => {
    const stt = new FakeTranscriber(() => Promise.resolve('  Bonjour, je voudrais annuler ma commande  '));
    const { bytes, request } = await voice();
    const u = await new NluAnswerer(models, fallbacks(), undefined, stt, media).understand(request);
    expect(stt.requests).toEqual([{ tenantId: 'default', audio: bytes, mime: 'audio/ogg', filename: 'voice-note.ogg' }]);
    expect(u).toMatchObject({ language: 'fr', intent: { name: 'cancel_order' }, transcript: 'Bonjour, je voudrais annuler ma commande', answer: { articleId: 'cancel-order' } });
    expect(u.handoff).toBeUndefined();
    expect(u.reasons[0]).toBe('voice note transcribed by fake-stt (40 characters): understood from the transcript');
  });

  it.each([
    ['the provider fails', () => Promise.reject(new Error('ai-transcription: circuit open')), /could not be transcribed \(fake-stt: ai-transcription: circuit open\)/],
    ['nothing was said', () => Promise.resolve('   '), /could not be transcribed \(nothing was understood in the voice note\)/],
  ])('hands the voice note to a person with a clear note when %s', async (_name, hear, reason) => {
    const { request } = await voice();
    const u = await new NluAnswerer(models, fallbacks(), undefined, new FakeTranscriber(hear), media).understand(request);
    expect(u).toMatchObject({ intent: null, abstained: true, language: 'en', handoff: { reason: expect.stringMatching(reason) } });
    expect(u.transcript).toBeUndefined();
    expect(u.answer?.text).toMatch(/person from our team/);
  });

  it('does not transcribe what is not in the store (another tenant’s id, no storeId) nor images', async () => {
    const stt = new FakeTranscriber(() => Promise.resolve('hello'));
    const answerer = new NluAnswerer(models, fallbacks(), undefined, stt, media);
    const { request } = await voice('tenant-a'); // stored for tenant-a, asked for by the bootstrap tenant (which has a model)
    const other = await answerer.understand({ ...request, tenantId: 'default' });
    expect(other.handoff?.reason).toMatch(/not in the media store/);
    const unstored = await answerer.understand(aRequest('', { messageType: 'audio', attachments: [{ kind: 'audio', mime: 'audio/ogg', mediaId: 'x' }] }));
    expect(unstored.handoff?.reason).toMatch(/not in the media store/);
    const image = await answerer.understand(aRequest('', { messageType: 'image', attachments: [{ kind: 'image', mime: 'image/png', mediaId: 'x', storeId: 'b'.repeat(64) }] }));
    expect(image.handoff?.reason).toMatch(/no provider configured/);
    expect(stt.requests).toHaveLength(0);
  });
});

describe('transcriberFromConfig', () => {
  it('configures a transcriber only with a provider URL and a transcription model, behind its own breaker', () => {
    expect(transcriberFromConfig(aConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_MODEL: 'chat' }))).toBeNull();
    const t = transcriberFromConfig(aConfig({ AI_BASE_URL: 'http://127.0.0.1:9/v1', AI_TRANSCRIPTION_MODEL: 'whisper-1' }));
    expect(t?.name).toBe('openai-compatible:whisper-1');
    expect(t?.breaker.name).toBe('ai-transcription');
    t?.shutdown();
  });
});

describe('NluAnswerer for a tenant without NLU data of its own (issue 12 #7)', () => {
  const demoAnswer = async (text: string) => (await offline().understand(aRequest(text)))?.answer?.text;

  it.each([
    ['en', 'where is my order?', 'A person from our team will answer you here shortly'],
    ['es', '¿dónde está mi pedido?', 'Una persona de nuestro equipo te responderá'],
    ['de', 'wo ist meine Bestellung?', 'Eine Person aus unserem Team antwortet Ihnen'],
  ])("hands to a person by default, saying so in the customer's language (%s), and never answers with the demo shop", async (_lang, text, note) => {
    const u = await new NluAnswerer(models, fallbacks()).understand(aRequest(text, { tenantId: 'acme' }));
    expect(u.handoff?.reason).toContain('no NLU data of its own');
    expect(u.answer?.text).toContain(note);
    expect(u.intent).toBeNull();
    expect(u.engine).toBe('omni-nlu:none');
    // The bootstrap tenant under the test profile does get the demo shop's answer for the same text.
    expect(await demoAnswer(text)).not.toBe(u.answer?.text);
  });

  it("answers a neutral message in the customer's language when the tenant chose `message`, without a handoff", async () => {
    const pt = await new NluAnswerer(models, fallbacks('message')).understand(aRequest('quero cancelar meu pedido', { tenantId: 'acme' }));
    expect(pt).toMatchObject({ language: 'pt', intent: null, abstained: true, answer: { text: 'Obrigado pela sua mensagem. Nós a recebemos e vamos responder por aqui.' } });
    expect(pt.handoff).toBeUndefined();
    const fr = await new NluAnswerer(models, fallbacks('message')).understand(aRequest('je veux annuler ma commande', { tenantId: 'acme' }));
    expect(fr.answer?.text).toBe('Merci pour votre message. Nous l’avons bien reçu et vous répondrons ici.');
  });

  it("reads the tenant's fallback once per 30 s, not per message", async () => {
    const f = fallbacks('message');
    const answerer = new NluAnswerer(models, f);
    for (const text of ['hi', 'hello', 'thanks']) await answerer.understand(aRequest(text, { tenantId: 'acme' }));
    expect(f.reads).toBe(1);
  });
});
