/**
 * Stage 6: the proposed answer, in the customer's language.
 *
 * intent → the tenant's KB article for that intent; if the intent has no article or the classifier
 * abstained, a BM25 search over the KB in that language; below both, an honest "not sure" that
 * offers a person. Templates fill entity slots: `{order_number}` etc., and a `[[ … ]]` section is
 * dropped when a slot inside it has no value, so one template reads well with and without it.
 */
import type { Entity } from './entities';
import { tokenize } from './tokenize';

export type Localized = Readonly<Record<string, string>>;

export interface KbArticle {
  readonly id: string;
  /** The intent this article answers; articles without one are reachable through search only. */
  readonly intent?: string;
  readonly title?: Localized;
  readonly answer: Localized;
}

export interface KnowledgeBase {
  readonly tenant?: string;
  readonly defaultLanguage: string;
  readonly messages: { readonly abstain: Localized; readonly outOfScope: Localized };
  readonly articles: readonly KbArticle[];
}

export type AnswerKind = 'article' | 'search' | 'out_of_scope' | 'abstain';

export interface Answer {
  readonly text: string;
  readonly language: string;
  readonly kind: AnswerKind;
  readonly articleId?: string;
  /** The answer itself proposes a person (abstain, out of scope, handoff article). */
  readonly offerHuman: boolean;
}

const SLOT = /\{([a-z_]+)\}/g;

/** Fill `{slot}`s; drop `[[…]]` sections with an unfilled slot; then drop the brackets. */
export function fillTemplate(template: string, slots: Readonly<Record<string, string>>): string {
  const withSections = template.replace(/\[\[([\s\S]*?)\]\]/g, (_, inner: string) => {
    const names = [...inner.matchAll(SLOT)].map((m) => m[1]);
    return names.every((n) => slots[n] !== undefined) ? inner : '';
  });
  return withSections.replace(SLOT, (whole, name: string) => slots[name] ?? whole).replace(/\s{2,}/g, ' ').trim();
}

export function slotsFromEntities(entities: readonly Entity[]): Record<string, string> {
  const slots: Record<string, string> = {};
  for (const e of entities) {
    // The first mention wins: customers name the thing they ask about first.
    if (slots[e.type] === undefined) slots[e.type] = e.type === 'amount' ? e.text : e.value;
  }
  return slots;
}

interface Bm25Doc {
  readonly id: string;
  readonly tf: Map<string, number>;
  readonly length: number;
}

/** Okapi BM25 (k1 = 1.2, b = 0.75) over one language's article titles and answers. */
class Bm25Index {
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;

  constructor(private readonly docs: readonly Bm25Doc[]) {
    for (const d of docs) for (const t of d.tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    this.avgLength = docs.reduce((s, d) => s + d.length, 0) / Math.max(1, docs.length);
  }

  search(query: readonly string[]): { id: string; score: number } | null {
    let best: { id: string; score: number } | null = null;
    const n = this.docs.length;
    for (const d of this.docs) {
      let score = 0;
      for (const q of new Set(query)) {
        const tf = d.tf.get(q);
        if (!tf) continue;
        const df = this.df.get(q) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * d.length) / this.avgLength));
      }
      if (score > 0 && (!best || score > best.score)) best = { id: d.id, score };
    }
    return best;
  }
}

export interface AnswerRequest {
  readonly language: string;
  readonly intent: string;
  readonly abstained: boolean;
  readonly outOfScopeLabel: string;
  /** Entity-masked text, for the search fallback. */
  readonly searchText: string;
  readonly entities: readonly Entity[];
  readonly reasons: string[];
}

export class Answerer {
  private readonly byIntent = new Map<string, KbArticle>();
  private readonly byId = new Map<string, KbArticle>();
  private readonly indexes = new Map<string, Bm25Index>();

  constructor(
    readonly kb: KnowledgeBase,
    /** Minimum BM25 score for a search hit to be proposed (below: abstain message). */
    private readonly minSearchScore = 4,
  ) {
    for (const a of kb.articles) {
      this.byId.set(a.id, a);
      if (a.intent && !this.byIntent.has(a.intent)) this.byIntent.set(a.intent, a);
    }
  }

  answer(req: AnswerRequest): Answer | null {
    const slots = slotsFromEntities(req.entities);
    if (!req.abstained && req.intent === req.outOfScopeLabel) {
      return this.message('outOfScope', 'out_of_scope', req);
    }
    if (!req.abstained) {
      const article = this.byIntent.get(req.intent);
      if (article) return this.fromArticle(article, 'article', slots, req);
      req.reasons.push(`answer: no KB article for intent "${req.intent}", searching the KB`);
    }
    const hit = this.index(req.language).search(tokenize(req.searchText).filter((t) => !t.startsWith('<')));
    if (hit && hit.score >= this.minSearchScore) {
      const article = this.byId.get(hit.id);
      if (article) {
        req.reasons.push(`answer: KB search matched "${hit.id}" (BM25 ${hit.score.toFixed(1)})`);
        return this.fromArticle(article, 'search', slots, req);
      }
    }
    return this.message('abstain', 'abstain', req);
  }

  private fromArticle(article: KbArticle, kind: AnswerKind, slots: Record<string, string>, req: AnswerRequest): Answer {
    const [language, template] = this.pick(article.answer, req);
    return {
      text: fillTemplate(template, slots),
      language,
      kind,
      articleId: article.id,
      offerHuman: article.intent === 'talk_to_human',
    };
  }

  private message(key: 'abstain' | 'outOfScope', kind: AnswerKind, req: AnswerRequest): Answer | null {
    const texts = this.kb.messages[key];
    if (!texts || Object.keys(texts).length === 0) return null;
    const [language, text] = this.pick(texts, req);
    return { text, language, kind, offerHuman: true };
  }

  /** The customer's language if the KB has it, else the tenant's default (and say so). */
  private pick(texts: Localized, req: AnswerRequest): [string, string] {
    const own = texts[req.language];
    if (own !== undefined) return [req.language, own];
    const fallback = this.kb.defaultLanguage;
    req.reasons.push(`answer: no text in "${req.language}", using "${fallback}"`);
    return [fallback, texts[fallback] ?? Object.values(texts)[0] ?? ''];
  }

  private index(language: string): Bm25Index {
    let idx = this.indexes.get(language);
    if (!idx) {
      const docs: Bm25Doc[] = [];
      for (const a of this.kb.articles) {
        const text = `${a.title?.[language] ?? ''} ${a.title?.[language] ?? ''} ${a.answer[language] ?? ''}`.replace(SLOT, ' ');
        const toks = tokenize(text);
        if (toks.length === 0) continue;
        const tf = new Map<string, number>();
        for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
        docs.push({ id: a.id, tf, length: toks.length });
      }
      idx = new Bm25Index(docs);
      this.indexes.set(language, idx);
    }
    return idx;
  }
}
