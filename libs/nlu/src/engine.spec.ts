import { NluEngine, NluModelJSON } from './engine';
import { DEMO_LANGUAGES, demoEngine, demoKb, demoTest } from './testing/demo-tenant';

/**
 * The demo tenant end to end: trained on train.jsonl only, evaluated on the held-out test.jsonl.
 * Floors sit a few points under the measured figures (README "Measured"), so a regression fails
 * but the run-to-run noise of a deterministic model (none) does not.
 */
const ACCURACY_FLOOR = 0.82; // measured 85.0% (77.5% before the corpus was extended, ADR 0104)
// Measured (52 held-out messages each, 1 message = 1.9 points): en 82.7, es 86.5, pt 82.7, fr 82.7,
// de 82.7, ar 86.5, th 88.5, id 82.7, vi 88.5, zh 86.5 (none flagged). Floors sit two messages below.
const LANGUAGE_FLOOR: Record<string, number> = {
  en: 0.78, es: 0.82, pt: 0.78, fr: 0.78, de: 0.78, ar: 0.82, th: 0.84, id: 0.78, vi: 0.84, zh: 0.82,
};
const REF = new Date(2026, 2, 10, 12);

describe('NluEngine on the demo tenant', () => {
  const engine = demoEngine();

  it('answers in each of the 10 languages, in that language, with the order number', () => {
    const messages: Record<string, string> = {
      en: 'hi, where is my order ORD-483920? it still has not arrived',
      es: 'hola, ¿dónde está mi pedido ORD-483920? todavía no llega',
      pt: 'oi, cadê meu pedido ORD-483920? ainda não chegou',
      fr: "bonjour, où est ma commande ORD-483920 ? elle n'est toujours pas arrivée",
      de: 'hallo, wo ist meine Bestellung ORD-483920? sie ist immer noch nicht da',
      ar: 'مرحبا، أين طلبي ORD-483920؟ لم يصل بعد',
      th: 'สวัสดีค่ะ ออเดอร์ ORD-483920 ของฉันอยู่ที่ไหน ยังไม่ได้รับเลย',
      id: 'halo, pesanan saya ORD-483920 di mana? belum sampai juga',
      vi: 'chào shop, đơn hàng ORD-483920 của tôi đâu rồi? vẫn chưa nhận được',
      zh: '你好，我的订单ORD-483920在哪里？还没收到',
    };
    for (const lang of DEMO_LANGUAGES) {
      const a = engine.analyze(messages[lang], { referenceDate: REF });
      expect({ lang, language: a.language, intent: a.intent.name, abstained: a.abstained }).toEqual({
        lang, language: lang, intent: 'order_status', abstained: false,
      });
      expect(a.answer).toMatchObject({ language: lang, articleId: 'order-status' });
      expect(a.answer?.text).toContain('ORD-483920');
      expect(a.entities).toEqual([expect.objectContaining({ type: 'order_number', value: 'ORD-483920' })]);
    }
  });

  it.each([
    ['en', 'asdkjh qwpoeiru zxmcnv'],
    ['de', 'ääää ööö üüü'],
    ['th', 'กขฃคฅฆง'],
    ['zh', '啊啊啊啊'],
    ['-', '!!!???...'],
  ])('abstains on gibberish (%s) and offers a person', (_lang, text) => {
    const a = engine.analyze(text, { referenceDate: REF });
    expect(a.abstained).toBe(true);
    expect(a.answer).toMatchObject({ kind: 'abstain', offerHuman: true });
    expect(a.reasons.join(' ')).toMatch(/abstained/);
  });

  it.each([
    ['en', 'what is the capital of Spain?'],
    ['es', '¿quién ganó el partido de fútbol?'],
    ['fr', 'raconte-moi une blague drôle'],
    ['zh', '今天天气怎么样？'],
  ])('does not answer off-topic questions with a shop article (%s)', (_lang, text) => {
    const a = engine.analyze(text, { referenceDate: REF });
    expect(a.answer?.kind === 'abstain' || a.answer?.kind === 'out_of_scope').toBe(true);
  });

  it('returns alternatives, sentiment with escalation, and reasons', () => {
    const a = engine.analyze('This is unacceptable, the product arrived damaged and I will call my lawyer 😡', { referenceDate: REF });
    expect(a.intent.name).toBe('complaint');
    expect(a.alternatives).toHaveLength(3);
    expect(a.alternatives[0].confidence).toBeLessThanOrEqual(a.intent.confidence);
    expect(a.sentiment).toMatchObject({ label: 'negative', escalate: true });
    expect(a.reasons.some((r) => r.startsWith('escalate:'))).toBe(true);
  });

  it('keeps the conversation language for a one-word reply', () => {
    expect(engine.analyze('ok', { previousLanguage: 'pt', referenceDate: REF }).language).toBe('pt');
    expect(engine.analyze('ok', { previousLanguage: 'de', referenceDate: REF }).language).toBe('de');
  });

  it('serializes to JSON and back with identical analyses', () => {
    const json = JSON.parse(JSON.stringify(engine.toJSON())) as NluModelJSON;
    const loaded = NluEngine.fromJSON(json);
    for (const ex of demoTest().slice(0, 60)) {
      expect(loaded.analyze(ex.text, { referenceDate: REF })).toEqual(engine.analyze(ex.text, { referenceDate: REF }));
    }
  });

  it('rejects a model file of another format', () => {
    expect(() => NluEngine.fromJSON({ format: 'other', version: 1 } as unknown as NluModelJSON)).toThrow(/unsupported/);
  });

  it('trains on any label set, with or without a KB', () => {
    const tiny = NluEngine.train(
      [
        { text: 'turn on the lights', label: 'lights_on' },
        { text: 'switch the lamp on', label: 'lights_on' },
        { text: 'lights off please', label: 'lights_off' },
        { text: 'switch off the lamp', label: 'lights_off' },
      ],
      null,
    );
    expect(tiny.labels).toEqual(['lights_off', 'lights_on']);
    const a = tiny.analyze('please turn the lights on');
    expect(a.intent.name).toBe('lights_on');
    expect(a.answer).toBeNull();
  });

  it('answers through KB search when an intent has no article', () => {
    const kb = demoKb();
    const engine2 = NluEngine.train(
      [
        { text: 'do you sell gift cards', label: 'gift_cards', lang: 'en' },
        { text: 'can I combine a gift card with a voucher', label: 'gift_cards', lang: 'en' },
        { text: 'hello', label: 'greeting', lang: 'en' },
        { text: 'hi there', label: 'greeting', lang: 'en' },
      ],
      kb,
    );
    const a = engine2.analyze('can I use a gift card and a voucher code together?');
    expect(a.answer).toMatchObject({ kind: 'search', articleId: 'gift-cards' });
  });
});

describe('demo tenant held-out split (per-language floor and bias check)', () => {
  const engine = demoEngine();
  const test = demoTest();
  const byLang = new Map<string, { n: number; ok: number }>();
  let ok = 0;
  for (const ex of test) {
    const hit = engine.analyze(ex.text, { referenceDate: REF }).intent.name === ex.label;
    if (hit) ok++;
    const s = byLang.get(ex.lang ?? '?') ?? { n: 0, ok: 0 };
    s.n++;
    if (hit) s.ok++;
    byLang.set(ex.lang ?? '?', s);
  }
  const acc = (lang: string): number => {
    const s = byLang.get(lang);
    return s ? s.ok / s.n : 0;
  };

  it('holds out examples in every language and intent, never trained on', () => {
    expect([...byLang.keys()].sort()).toEqual([...DEMO_LANGUAGES].sort());
    for (const s of byLang.values()) expect(s.n).toBeGreaterThanOrEqual(40);
  });

  it(`overall accuracy ≥ ${ACCURACY_FLOOR}`, () => {
    expect(ok / test.length).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
  });

  it.each(DEMO_LANGUAGES)('language %s ≥ its floor', (lang) => {
    expect(acc(lang)).toBeGreaterThanOrEqual(LANGUAGE_FLOOR[lang]);
  });

  it('bias check: no language more than 3 points below English', () => {
    const flagged = DEMO_LANGUAGES.filter((l) => l !== 'en' && (acc('en') - acc(l)) * 100 > 3);
    console.log(`demo per-language accuracy: ${DEMO_LANGUAGES.map((l) => `${l} ${(100 * acc(l)).toFixed(1)}`).join(', ')}; flagged: ${flagged.join(', ') || 'none'}`);
    expect(flagged).toEqual([]);
  });
});
