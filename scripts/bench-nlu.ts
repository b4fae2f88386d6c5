/**
 * Throughput and latency of the whole NluEngine.analyze() pipeline (normalize → entities →
 * language → dates → intent → sentiment → answer), one thread = one core.
 *
 *   npm run bench:nlu [-- --model <model.json> --texts <file.csv|jsonl>] [--no-fasttext] [--messages 20000]
 *
 * Default: the demo tenant trained on the fly, its held-out messages cycled. Figures are printed
 * raw and as ratios against a baseline measured in the same run (normalize + tokenize only), so a
 * slow or busy machine shows up in the baseline too. Targets: ≥ 2,000 msg/s per core, p99 ≤ 5 ms.
 * Not a test: nothing fails on a slow machine.
 */
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createFastTextDetector, loadExamples, loadKnowledgeBase, NluEngine, NluModelJSON, normalizeText, tokenize } from '@omni/nlu';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Run {
  readonly perSecond: number;
  /** Messages per second of this process's CPU time: what one core does, whatever else runs. */
  readonly perCpuSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function measure(texts: readonly string[], count: number, fn: (t: string) => unknown): Run {
  for (let i = 0; i < Math.min(2000, count); i++) fn(texts[i % texts.length]); // JIT warm-up
  const lat = new Float64Array(count);
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    fn(texts[i % texts.length]);
    lat[i] = performance.now() - t0;
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort();
  return { perSecond: count / elapsed, perCpuSecond: count / ((cpu.user + cpu.system) / 1e6), p50: lat[Math.floor(count * 0.5)], p99: lat[Math.floor(count * 0.99)] };
}

async function main(): Promise<void> {
  const demo = path.resolve(__dirname, '../libs/nlu/data/demo-tenant');
  const modelFile = arg('model');
  const engine = modelFile
    ? NluEngine.fromJSON(JSON.parse(readFileSync(modelFile, 'utf8')) as NluModelJSON)
    : NluEngine.train(loadExamples(path.join(demo, 'train.jsonl')), loadKnowledgeBase(path.join(demo, 'kb.json')));
  const withFastText = !process.argv.includes('--no-fasttext');
  if (withFastText) engine.useLanguageDetector(await createFastTextDetector());
  const texts = loadExamples(arg('texts') ?? path.join(demo, 'test.jsonl')).map((e) => e.text);
  const count = Number(arg('messages') ?? 20000);

  const baseline = measure(texts, count, (t) => tokenize(normalizeText(t)));
  const full = measure(texts, count, (t) => engine.analyze(t, { previousLanguage: undefined }));

  const fmt = (r: Run): string =>
    `${Math.round(r.perSecond).toLocaleString('en')} msg/s (${Math.round(r.perCpuSecond).toLocaleString('en')} per CPU-second), p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms`;
  console.log(`model: ${modelFile ?? 'demo tenant'} (${engine.labels.length} intents), ${texts.length} distinct messages × ${count}, fastText ${withFastText ? 'on' : 'off'}, node ${process.version}`);
  console.log(`baseline (normalize + tokenize): ${fmt(baseline)}`);
  console.log(`analyze() whole pipeline:        ${fmt(full)}`);
  console.log(
    `ratio pipeline/baseline: throughput ×${(full.perSecond / baseline.perSecond).toFixed(3)}, ` +
      `p50 ×${(full.p50 / baseline.p50).toFixed(1)}, p99 ×${(full.p99 / baseline.p99).toFixed(1)}`,
  );
  console.log(
    `targets: ≥ 2,000 msg/s per core → ${full.perSecond >= 2000 ? 'met' : 'NOT met'}; p99 ≤ 5 ms → ${full.p99 <= 5 ? 'met' : 'NOT met'}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
