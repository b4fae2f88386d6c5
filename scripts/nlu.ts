/**
 * NLU train / eval CLI (issue 4). Works on any labelled data, not only the demo tenant:
 *
 *   npm run nlu -- train --data <file.csv|file.jsonl> [--kb kb.json] --out <model.json>
 *                        [--threshold 0.3] [--default-language en] [--country DE] [--no-embeddings]
 *   npm run nlu -- eval  --model <model.json> --test <file> [--fasttext] [--bias-points 3]
 *
 * CSV needs a header `text,label[,lang]` (Banking77's `text,category` works too); JSONL lines are
 * {"text","label","lang"?}. eval prints accuracy, macro-F1, per-language accuracy, coverage and
 * precision at the abstain threshold, p50/p99 latency of the whole analyze() per message, and a
 * bias check flagging languages more than --bias-points below English.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createFastTextDetector, loadExamples, loadKnowledgeBase, NluEngine, NluModelJSON } from '@omni/nlu';
import type { LabelledExample } from '@omni/nlu';

type Args = Record<string, string | boolean>;

function parseArgs(argv: readonly string[]): { command: string; args: Args } {
  const [command = 'help', ...rest] = argv;
  const args: Args = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) args[a.slice(2)] = true;
    else {
      args[a.slice(2)] = next;
      i++;
    }
  }
  return { command, args };
}

function str(args: Args, key: string, required = true): string | undefined {
  const v = args[key];
  if (typeof v === 'string') return v;
  if (required) throw new Error(`missing --${key}`);
  return undefined;
}

function train(args: Args): void {
  const data = str(args, 'data') as string;
  const out = str(args, 'out') as string;
  const kbFile = str(args, 'kb', false);
  const threshold = str(args, 'threshold', false);
  const examples = loadExamples(data);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const engine = NluEngine.train(examples, kbFile ? loadKnowledgeBase(kbFile) : null, {
    ...(threshold ? { abstainThreshold: Number(threshold) } : {}),
    ...(str(args, 'default-language', false) ? { defaultLanguage: str(args, 'default-language') } : {}),
    ...(str(args, 'country', false) ? { defaultCountry: str(args, 'country') } : {}),
    // Sparse features only (the pre-embeddings model, ADR 0100), e.g. to compare.
    ...(args['no-embeddings'] ? { intent: { embeddings: null } } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const json = JSON.stringify(engine.toJSON());
  writeFileSync(out, json);
  console.log(
    `trained on ${examples.length} examples, ${engine.labels.length} labels, languages ${engine.options.languages.join(',')} ` +
      `in ${seconds.toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU) → ${out} (${(json.length / 1e6).toFixed(1)} MB)`,
  );
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

async function evaluate(args: Args): Promise<void> {
  const engine = NluEngine.fromJSON(JSON.parse(readFileSync(str(args, 'model') as string, 'utf8')) as NluModelJSON);
  if (args.fasttext) engine.useLanguageDetector(await createFastTextDetector());
  const test: LabelledExample[] = loadExamples(str(args, 'test') as string);
  const biasPoints = Number(str(args, 'bias-points', false) ?? 3);
  const labels = new Set([...engine.labels, ...test.map((t) => t.label)]);
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const byLang = new Map<string, { n: number; ok: number; langOk: number }>();
  const confusions = new Map<string, number>();
  const latencies: number[] = [];
  const scored: { confidence: number; hit: boolean }[] = [];
  let ok = 0;
  let covered = 0;
  let coveredOk = 0;
  const inc = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  // Warm-up so the first messages do not measure JIT compilation.
  for (const ex of test.slice(0, 50)) engine.analyze(ex.text);
  for (const ex of test) {
    const t0 = performance.now();
    const a = engine.analyze(ex.text);
    latencies.push(performance.now() - t0);
    const hit = a.intent.name === ex.label;
    if (hit) {
      ok++;
      inc(tp, ex.label);
    } else {
      inc(fp, a.intent.name);
      inc(fn, ex.label);
      inc(confusions, `${ex.label} → ${a.intent.name}`);
    }
    scored.push({ confidence: a.intent.confidence, hit });
    if (!a.abstained) {
      covered++;
      if (hit) coveredOk++;
    }
    const lang = ex.lang ?? a.language;
    const s = byLang.get(lang) ?? { n: 0, ok: 0, langOk: 0 };
    s.n++;
    if (hit) s.ok++;
    if (ex.lang && a.language === ex.lang) s.langOk++;
    byLang.set(lang, s);
  }
  let f1Sum = 0;
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const p = t / Math.max(1, t + (fp.get(l) ?? 0));
    const r = t / Math.max(1, t + (fn.get(l) ?? 0));
    f1Sum += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  latencies.sort((a, b) => a - b);
  const n = test.length;
  console.log(`examples           ${n}`);
  console.log(`accuracy           ${pct(ok / n)}`);
  console.log(`macro-F1           ${pct(f1Sum / labels.size)}`);
  console.log(`abstain threshold  ${engine.options.abstainThreshold}`);
  console.log(`coverage           ${pct(covered / n)}  (answered without abstaining)`);
  console.log(`precision@coverage ${pct(coveredOk / Math.max(1, covered))}`);
  console.log(`latency per msg    p50 ${percentile(latencies, 50).toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms`);
  // Where to put the threshold: coverage and precision if it were elsewhere (confidence only; the
  // "nothing known" rule abstains regardless).
  const sweep = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((t) => {
    const kept = scored.filter((s) => s.confidence >= t);
    return `${t.toFixed(1)}: ${pct(kept.length / n)} / ${pct(kept.filter((s) => s.hit).length / Math.max(1, kept.length))}`;
  });
  console.log(`threshold sweep    (coverage / precision) ${sweep.join(' · ')}`);
  const hasLang = test.some((t) => t.lang);
  console.log(`\nper language (${hasLang ? 'from the test file' : 'as detected'}):`);
  const en = byLang.get('en');
  const enAcc = en ? en.ok / en.n : undefined;
  const flagged: string[] = [];
  for (const [lang, s] of [...byLang.entries()].sort()) {
    const acc = s.ok / s.n;
    const gap = enAcc !== undefined ? (enAcc - acc) * 100 : 0;
    const flag = enAcc !== undefined && lang !== 'en' && gap > biasPoints;
    if (flag) flagged.push(lang);
    console.log(
      `  ${lang.padEnd(4)} n=${String(s.n).padStart(5)}  accuracy ${pct(acc).padStart(7)}` +
        (hasLang ? `  language-id ${pct(s.langOk / s.n).padStart(7)}` : '') +
        (flag ? `  FLAG: ${gap.toFixed(1)} points below English` : ''),
    );
  }
  if (enAcc !== undefined && byLang.size > 1) {
    console.log(flagged.length ? `\nbias check: FLAGGED ${flagged.join(', ')} (> ${biasPoints} points below English)` : `\nbias check: ok (no language > ${biasPoints} points below English)`);
  }
  const top = [...confusions.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (top.length) console.log(`\ntop confusions:\n${top.map(([k, v]) => `  ${String(v).padStart(3)}  ${k}`).join('\n')}`);
}

async function main(): Promise<void> {
  const { command, args } = parseArgs(process.argv.slice(2));
  if (command === 'train') return train(args);
  if (command === 'eval') return evaluate(args);
  console.log('usage: npm run nlu -- train --data <file> [--kb kb.json] --out <model.json>\n       npm run nlu -- eval --model <model.json> --test <file> [--fasttext]');
  if (command !== 'help') process.exitCode = 2;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
