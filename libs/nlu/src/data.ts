/**
 * Loading labelled examples and knowledge bases from files, for the CLI, tests and the demo
 * tenant. Formats: CSV with a header (`text,label[,lang]`, or Banking77's `text,category`) parsed
 * by csv-parse (quoted fields, embedded commas and newlines), and JSONL of {"text","label","lang"?}.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { KnowledgeBase } from './answerer';

export interface LabelledExample {
  readonly text: string;
  readonly label: string;
  readonly lang?: string;
}

const LABEL_COLUMNS = ['label', 'category', 'intent'];

export function parseExamples(content: string, format: 'csv' | 'jsonl'): LabelledExample[] {
  if (format === 'jsonl') {
    return content
      .split(/\r?\n/)
      .map((line, i) => [line.trim(), i + 1] as const)
      .filter(([line]) => line.length > 0)
      .map(([line, n]) => {
        const row = JSON.parse(line) as Record<string, unknown>;
        return toExample(row, `line ${n}`);
      });
  }
  const rows = parse<Record<string, string>>(content, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  return rows.map((row, i) => toExample(row, `row ${i + 2}`));
}

function toExample(row: Record<string, unknown>, where: string): LabelledExample {
  const text = row.text;
  const labelKey = LABEL_COLUMNS.find((k) => typeof row[k] === 'string');
  if (typeof text !== 'string' || !labelKey) throw new Error(`${where}: needs "text" and one of ${LABEL_COLUMNS.join('/')}`);
  const lang = typeof row.lang === 'string' && row.lang.length > 0 ? row.lang : undefined;
  return { text, label: row[labelKey] as string, ...(lang ? { lang } : {}) };
}

export function loadExamples(file: string): LabelledExample[] {
  const format = /\.jsonl?$/i.test(file) ? 'jsonl' : 'csv';
  return parseExamples(readFileSync(file, 'utf8'), format);
}

export function loadKnowledgeBase(file: string): KnowledgeBase {
  const kb = JSON.parse(readFileSync(file, 'utf8')) as KnowledgeBase;
  if (!kb.defaultLanguage || !Array.isArray(kb.articles) || !kb.messages) {
    throw new Error(`${file}: not a knowledge base (needs defaultLanguage, messages, articles)`);
  }
  return kb;
}
