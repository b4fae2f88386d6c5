/**
 * @omni/nlu — offline multilingual understanding for the AI worker (framework-free).
 * See libs/nlu/README.md and docs/adr/0100-0102.
 */
export { NluEngine } from './engine';
export type {
  AnalyzeContext,
  NluAnalysis,
  NluEngineOptions,
  NluModelJSON,
  ResolvedNluOptions,
  ScoredIntent,
  TrainingExample,
} from './engine';
export type { Answer, AnswerKind, KbArticle, KnowledgeBase, Localized } from './answerer';
export { fillTemplate } from './answerer';
export type { Entity, EntityType } from './entities';
export { DEFAULT_ORDER_PATTERNS, EntityExtractor, maskEntities } from './entities';
export type { ExternalLanguageDetector, LanguageScores } from './language';
export { detectByScript } from './language';
export { createFastTextDetector } from './fasttext-detector';
export { normalizeText } from './normalize';
export { capText, MAX_TEXT_CHARS } from './limits';
export { unsafeOrderPattern, MAX_PATTERN_LENGTH } from './order-patterns';
export { tokenize } from './tokenize';
export type { Sentiment } from './sentiment';
export { analyzeSentiment } from './sentiment';
export { DEFAULT_INTENT_OPTIONS } from './intent-classifier';
export { EMBEDDING_TABLES, loadWordEmbeddings, WordEmbeddings } from './embeddings';
export type { IntentClassifierOptions } from './intent-classifier';
export { loadExamples, loadKnowledgeBase } from './data';
export type { LabelledExample } from './data';
export type { Redactor } from './redact';
export { createRedactor } from './redact';
