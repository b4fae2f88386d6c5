/**
 * The NLU pipeline: normalize → entities → language → dates → intent → sentiment → answer.
 *
 * One object holds a trained tenant model; it is plain data (toJSON/fromJSON) so a worker loads
 * it without retraining, and analyze() is synchronous and allocation-light (bench: scripts/bench-nlu.ts).
 */
import { Answer, Answerer, KnowledgeBase } from './answerer';
import { DEFAULT_ORDER_PATTERNS, Entity, EntityExtractor, maskEntities, stripEntities } from './entities';
import { DEFAULT_INTENT_OPTIONS, IntentClassifier, IntentClassifierJSON, IntentClassifierOptions } from './intent-classifier';
import { ExternalLanguageDetector, LanguageDetector, NgramLanguageModel, NgramLanguageModelJSON } from './language';
import { normalizeText } from './normalize';
import { analyzeSentiment, Sentiment } from './sentiment';
import { capText, MAX_TEXT_CHARS } from './limits';

export interface TrainingExample {
  readonly text: string;
  readonly label: string;
  /** ISO 639-1; trains the tenant's language model and picks the date parser for the example. */
  readonly lang?: string;
}

export interface NluEngineOptions {
  /** Languages the tenant serves (default: those in the examples, else the default language). */
  readonly languages?: readonly string[];
  readonly defaultLanguage?: string;
  /** Below this top-intent confidence the engine abstains (says so and offers a person). */
  readonly abstainThreshold?: number;
  /** The label that means "not something this tenant handles" (answered with a polite refusal). */
  readonly outOfScopeLabel?: string;
  /** Intents whose detection alone sets the escalation signal. */
  readonly escalationIntents?: readonly string[];
  readonly orderPatterns?: readonly string[];
  /** Country for phone numbers without a +country prefix. */
  readonly defaultCountry?: string;
  readonly intent?: Partial<IntentClassifierOptions>;
}

export interface ResolvedNluOptions {
  readonly languages: readonly string[];
  readonly defaultLanguage: string;
  readonly abstainThreshold: number;
  readonly outOfScopeLabel: string;
  readonly escalationIntents: readonly string[];
  readonly orderPatterns: readonly string[];
  readonly defaultCountry?: string;
  readonly intent: IntentClassifierOptions;
}

export interface AnalyzeContext {
  /** Language of the conversation so far: a prior for short, ambiguous messages. */
  readonly previousLanguage?: string;
  /** "Now" for relative dates ("tomorrow"); defaults to the current time. */
  readonly referenceDate?: Date;
}

export interface ScoredIntent {
  readonly name: string;
  readonly confidence: number;
}

export interface NluAnalysis {
  /** The normalized text that entity spans refer to (of the input's first MAX_TEXT_CHARS). */
  readonly text: string;
  /** True when the input was longer than MAX_TEXT_CHARS and only its start was read. */
  readonly truncated: boolean;
  /** What the classifier saw (entities replaced by placeholders). */
  readonly maskedText: string;
  readonly language: string;
  readonly languageConfidence: number;
  readonly intent: ScoredIntent;
  /** The next best intents (up to 3). */
  readonly alternatives: readonly ScoredIntent[];
  readonly entities: readonly Entity[];
  readonly sentiment: Sentiment;
  readonly answer: Answer | null;
  /** True when the engine is not confident enough to act on the intent. */
  readonly abstained: boolean;
  /** Human-readable trace of the decisions, for agents and the optimization report. */
  readonly reasons: readonly string[];
}

export interface NluModelJSON {
  readonly format: 'omni-nlu';
  readonly version: 1;
  readonly options: ResolvedNluOptions;
  readonly classifier: IntentClassifierJSON;
  readonly languageModel: NgramLanguageModelJSON | null;
  readonly kb: KnowledgeBase | null;
}

const DEFAULTS = {
  defaultLanguage: 'en',
  abstainThreshold: 0.3,
  outOfScopeLabel: 'out_of_scope',
  escalationIntents: ['talk_to_human', 'complaint'],
};

function resolve(options: NluEngineOptions, examples: readonly TrainingExample[]): ResolvedNluOptions {
  const defaultLanguage = options.defaultLanguage ?? DEFAULTS.defaultLanguage;
  const fromExamples = [...new Set(examples.map((e) => e.lang).filter((l): l is string => !!l))].sort();
  return {
    languages: options.languages ?? (fromExamples.length ? fromExamples : [defaultLanguage]),
    defaultLanguage,
    abstainThreshold: options.abstainThreshold ?? DEFAULTS.abstainThreshold,
    outOfScopeLabel: options.outOfScopeLabel ?? DEFAULTS.outOfScopeLabel,
    escalationIntents: options.escalationIntents ?? DEFAULTS.escalationIntents,
    orderPatterns: options.orderPatterns ?? DEFAULT_ORDER_PATTERNS,
    defaultCountry: options.defaultCountry,
    intent: {
      ...DEFAULT_INTENT_OPTIONS,
      ...options.intent,
      vectorizer: {
        ...DEFAULT_INTENT_OPTIONS.vectorizer,
        // A tenant with a few examples per intent and language needs every feature it has seen;
        // on thousands of examples, features seen once are mostly noise and model size.
        minDf: examples.length < 5000 ? 1 : 2,
        ...options.intent?.vectorizer,
      },
    },
  };
}

export class NluEngine {
  private readonly entities: EntityExtractor;
  private readonly detector: LanguageDetector;
  private readonly answerer: Answerer | null;

  private constructor(
    readonly options: ResolvedNluOptions,
    private readonly classifier: IntentClassifier,
    private readonly languageModel: NgramLanguageModel | null,
    private readonly kb: KnowledgeBase | null,
  ) {
    this.entities = new EntityExtractor({ orderPatterns: options.orderPatterns, defaultCountry: options.defaultCountry });
    this.detector = new LanguageDetector(
      { languages: options.languages, defaultLanguage: options.defaultLanguage, tenantModelWeight: 0.5, previousLanguageBoost: 0.3 },
      languageModel,
    );
    this.answerer = kb ? new Answerer(kb) : null;
  }

  /** Train on labelled examples (any label set); the KB is optional (no answers without it). */
  static train(examples: readonly TrainingExample[], kb: KnowledgeBase | null = null, options: NluEngineOptions = {}): NluEngine {
    const resolved = resolve(options, examples);
    const extractor = new EntityExtractor({ orderPatterns: resolved.orderPatterns, defaultCountry: resolved.defaultCountry });
    // A fixed reference date: training must not depend on the day it runs (dates are masked anyway).
    const ref = new Date(Date.UTC(2025, 0, 15));
    const prepared = examples.map((e) => {
      const text = normalizeText(capText(e.text).text);
      const found = extractor.extract(text);
      const dates = extractor.extractDates(text, e.lang ?? resolved.defaultLanguage, found, ref);
      const all = [...found, ...dates];
      return { masked: maskEntities(text, all), stripped: stripEntities(text, all), label: e.label, lang: e.lang };
    });
    const classifier = IntentClassifier.train(
      prepared.map((p) => ({ text: p.masked, label: p.label, lang: p.lang ?? resolved.defaultLanguage })),
      resolved.intent,
    );
    const withLang = prepared.filter((p): p is typeof p & { lang: string } => !!p.lang);
    const languageModel = withLang.length ? NgramLanguageModel.train(withLang.map((p) => ({ text: p.stripped, lang: p.lang }))) : null;
    return new NluEngine(resolved, classifier, languageModel, kb);
  }

  static fromJSON(json: NluModelJSON): NluEngine {
    if (json.format !== 'omni-nlu' || json.version !== 1) throw new Error(`unsupported NLU model format ${String(json.format)} v${String(json.version)}`);
    return new NluEngine(
      json.options,
      IntentClassifier.fromJSON(json.classifier),
      json.languageModel ? NgramLanguageModel.fromJSON(json.languageModel) : null,
      json.kb,
    );
  }

  toJSON(): NluModelJSON {
    return {
      format: 'omni-nlu',
      version: 1,
      options: this.options,
      classifier: this.classifier.toJSON(),
      languageModel: this.languageModel?.toJSON() ?? null,
      kb: this.kb,
    };
  }

  /** Attach a general language detector (e.g. createFastTextDetector()); null detaches it. */
  useLanguageDetector(detector: ExternalLanguageDetector | null): this {
    this.detector.setExternal(detector);
    return this;
  }

  /** Tenant order patterns this engine refuses to run (unsafe or invalid), with the reason. */
  get refusedOrderPatterns(): readonly { readonly pattern: string; readonly reason: string }[] {
    return this.entities.refusedPatterns;
  }

  get labels(): readonly string[] {
    return this.classifier.labels;
  }

  analyze(input: string, context: AnalyzeContext = {}): NluAnalysis {
    const reasons: string[] = [];
    // Every stage below is bounded by the cap, whatever a sender pastes (issue 15 #6).
    const capped = capText(input);
    if (capped.truncated) reasons.push(`text: read the first ${MAX_TEXT_CHARS} of ${capped.originalLength} characters`);
    const text = normalizeText(capped.text);
    const found = this.entities.extract(text);

    const lang = this.detector.detect(stripEntities(text, found), context.previousLanguage);
    reasons.push(`language: ${lang.language} by ${lang.method}${lang.method === 'model' ? ` (${lang.confidence.toFixed(2)})` : ''}`);

    const dates = this.entities.extractDates(text, lang.language, found, context.referenceDate ?? new Date());
    const entities = dates.length ? [...found, ...dates].sort((a, b) => a.start - b.start) : found;
    if (entities.length) reasons.push(`entities: ${entities.map((e) => e.type).join(', ')}`);

    const maskedText = maskEntities(text, entities);
    const prediction = this.classifier.predict(maskedText, 4, lang.language);
    const intent = { name: prediction.label, confidence: round(prediction.confidence) };
    const alternatives = prediction.ranked.slice(1).map((r) => ({ name: r.label, confidence: round(r.confidence) }));

    let abstained = false;
    if (prediction.knownFeatures === 0) {
      abstained = true;
      reasons.push('intent: abstained, nothing in the message resembles the training data');
    } else if (prediction.confidence < this.options.abstainThreshold) {
      abstained = true;
      reasons.push(`intent: abstained, ${intent.name} at ${intent.confidence} is below the threshold ${this.options.abstainThreshold}`);
    } else {
      reasons.push(`intent: ${intent.name} (${intent.confidence})`);
    }

    const sentiment0 = analyzeSentiment(text, lang.language);
    const byIntent = !abstained && this.options.escalationIntents.includes(intent.name);
    const sentiment = byIntent && !sentiment0.escalate ? { ...sentiment0, escalate: true } : sentiment0;
    if (sentiment.escalate) {
      reasons.push(`escalate: ${[...(byIntent ? [`intent ${intent.name}`] : []), ...sentiment0.cues].join(', ')}`);
    }

    const answer = this.answerer
      ? this.answerer.answer({
          language: lang.language,
          intent: intent.name,
          abstained,
          outOfScopeLabel: this.options.outOfScopeLabel,
          searchText: maskedText,
          entities,
          reasons,
        })
      : null;

    return {
      text,
      truncated: capped.truncated,
      maskedText,
      language: lang.language,
      languageConfidence: round(lang.confidence),
      intent,
      alternatives,
      entities,
      sentiment,
      answer,
      abstained,
      reasons,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
