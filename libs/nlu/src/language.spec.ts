import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { detectByScript, ExternalLanguageDetector, LanguageDetector, NgramLanguageModel } from './language';
import { normalizeText } from './normalize';
import { DEMO_LANGUAGES, demoTrain } from './testing/demo-tenant';

const ngram = NgramLanguageModel.train(demoTrain().map((e) => ({ text: normalizeText(e.text), lang: e.lang ?? 'en' })));
const options = { languages: DEMO_LANGUAGES, defaultLanguage: 'en', tenantModelWeight: 0.5, previousLanguageBoost: 0.3 };

// Short texts written for this test (not in the demo corpus): the hard case for detectors.
const SHORT: readonly [string, string][] = [
  ['en', 'where is my parcel'],
  ['en', 'I need help'],
  ['es', '¿dónde está mi paquete?'],
  ['es', 'necesito ayuda'],
  ['pt', 'cadê minha encomenda'],
  ['pt', 'preciso de ajuda'],
  ['fr', 'où est mon colis'],
  ['fr', "j'ai besoin d'aide"],
  ['de', 'wo ist mein Paket'],
  ['de', 'ich brauche Hilfe'],
  ['ar', 'أين الطرد'],
  ['th', 'พัสดุอยู่ไหน'],
  ['id', 'paket saya di mana'],
  ['id', 'saya butuh bantuan'],
  ['vi', 'gói hàng ở đâu'],
  ['vi', 'tôi cần giúp đỡ'],
  ['zh', '包裹在哪里'],
];

describe('detectByScript', () => {
  it.each([
    ['ar', 'مرحبا'],
    ['th', 'สวัสดี'],
    ['zh', '你好'],
    ['ja', 'こんにちは'],
    ['ko', '안녕하세요'],
    ['vi', 'cảm ơn'],
    ['th', 'thx ค่ะ'],
    ['ar', 'hello السلام عليكم'],
  ])('%s: %s', (lang, text) => {
    expect(detectByScript(text)).toBe(lang);
  });

  it('leaves Latin-only text to the model (French ê is not Vietnamese)', () => {
    expect(detectByScript('je suis déçu, vous êtes où ?')).toBeNull();
    expect(detectByScript('hello')).toBeNull();
  });
});

describe('LanguageDetector (tenant n-gram model only)', () => {
  const detector = new LanguageDetector(options, ngram);

  it.each(SHORT)('%s: %s', (lang, text) => {
    expect(detector.detect(normalizeText(text)).language).toBe(lang);
  });

  it('uses the previous language for ambiguous one-word messages', () => {
    // "ok" and "bye" are used in every Latin-script language here.
    expect(detector.detect('ok', 'pt').language).toBe('pt');
    expect(detector.detect('bye', 'id').language).toBe('id');
  });

  it('keeps an Arabic, Thai or Chinese conversation in its language for a short Latin reply', () => {
    expect(detector.detect('ok', 'th')).toMatchObject({ language: 'th', method: 'previous' });
    expect(detector.detect('thanks', 'ar').language).toBe('ar');
    expect(detector.detect('ORD ok', 'zh').language).toBe('zh');
    // A whole sentence in a Latin-script language is a switch, not a reply.
    expect(detector.detect('Where is my order? I have waited two weeks', 'th').language).toBe('en');
  });

  it('falls back to the previous or default language when there are no letters', () => {
    expect(detector.detect('👍👍', 'fr')).toMatchObject({ language: 'fr', method: 'previous' });
    expect(detector.detect('123')).toMatchObject({ language: 'en', method: 'default' });
  });

  it('still lets strong evidence override the previous language', () => {
    expect(detector.detect('Wo ist meine Bestellung? Ich warte seit zwei Wochen', 'es').language).toBe('de');
  });
});

describe('LanguageDetector with an external detector', () => {
  it('blends an external detector and restricts it to the tenant languages', () => {
    const fake: ExternalLanguageDetector = {
      name: 'fake',
      // Says Italian (not served) first, then Spanish.
      predict: () => new Map([['it', 0.8], ['es', 0.15], ['pt', 0.05]]),
    };
    const detector = new LanguageDetector({ ...options, tenantModelWeight: 0 }, null, fake);
    expect(detector.detect('prego grazie').language).toBe('es');
  });

  it('loads fastText lid.176 from the installed package (offline) and detects short texts', () => {
    // In a child Node process: see testing/fasttext-probe.ts for why.
    const probe = path.join(__dirname, 'testing', 'fasttext-probe.ts');
    const out = execFileSync(process.execPath, ['--import', 'tsx', probe, JSON.stringify(SHORT.map(([, t]) => t))], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { detector, results } = JSON.parse(out) as { detector: string; results: { language: string; fastTextTop: string }[] };
    expect(detector).toBe('fasttext-lid176');
    expect(results.map((r) => r.language)).toEqual(SHORT.map(([lang]) => lang));
    // The raw model (before restriction to the tenant's languages) is right on the English text.
    expect(results[0].fastTextTop).toBe('en');
  });
});
