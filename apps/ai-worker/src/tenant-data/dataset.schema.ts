import { z } from 'zod';
import { ValidationError } from '@omni/contracts';
import { unsafeOrderPattern } from '@omni/nlu';

const Localized = z.record(z.string().regex(/^[a-z]{2,3}$/, 'an ISO 639 code'), z.string().min(1).max(4000));
const label = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, _ . : - (at most 128)');

export const ExampleSchema = z.object({
  text: z.string().trim().min(1).max(2000),
  label,
  lang: z.string().regex(/^[a-z]{2,3}$/).optional(),
  /** Where an agent's correction took the text from: a data subject's erasure removes it (ADR 0104, 0500). */
  conversationId: z.string().min(1).max(256).optional(),
}).strict();

/** A @omni/nlu KnowledgeBase. */
export const KnowledgeBaseSchema = z.object({
  tenant: z.string().max(128).optional(),
  defaultLanguage: z.string().regex(/^[a-z]{2,3}$/),
  messages: z.object({ abstain: Localized, outOfScope: Localized }),
  articles: z.array(z.object({ id: z.string().min(1).max(128), intent: label.optional(), title: Localized.optional(), answer: Localized }).strict()).max(2000),
}).strict();

/** The tunable subset of NluEngineOptions a tenant may set. */
export const DatasetOptionsSchema = z.object({
  defaultLanguage: z.string().regex(/^[a-z]{2,3}$/).optional(),
  abstainThreshold: z.number().min(0).max(1).optional(),
  outOfScopeLabel: label.optional(),
  escalationIntents: z.array(label).max(50).optional(),
  orderPatterns: z.array(z.string().min(1).max(200)).max(20).optional(),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).optional(),
}).strict();

export const DatasetBody = z.object({
  examples: z.array(ExampleSchema).min(2).max(50_000),
  kb: KnowledgeBaseSchema.nullable().default(null),
  options: DatasetOptionsSchema.default({}),
}).strict();
export type DatasetInput = z.output<typeof DatasetBody>;

export const ExamplesBody = z.object({ examples: z.array(ExampleSchema).min(1).max(5_000) }).strict();

export const FeedbackBody = z.object({
  messageId: z.string().min(1).max(256),
  /** The right intent (an agent's correction, or a confirmation). Add the text as an example via /v1/nlu/examples. */
  label: label.optional(),
  outcome: z.enum(['answered', 'handed_off', 'thumbs_down', 'thumbs_up']).optional(),
}).strict().refine((f) => f.label !== undefined || f.outcome !== undefined, { message: 'needs a label or an outcome' });

export const PredictBody = z.object({ text: z.string().min(1).max(4096), previousLanguage: z.string().max(35).optional() }).strict();

export const ReportQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  lowConfidenceBelow: z.coerce.number().min(0).max(1).default(0.5),
  /** The timeline's period: one UTC day or one ISO week. */
  bucket: z.enum(['day', 'week']).default('day'),
}).strict();

export { parse } from '@omni/contracts';

/**
 * Order patterns run on every message: they must compile with the extractor's flags and be safe
 * from catastrophic backtracking (@omni/nlu's unsafeOrderPattern), or the upload is a 400 naming
 * each refused pattern (issue 15 #6).
 */
export function checkPatterns(patterns: readonly string[] | undefined): void {
  const bad = (patterns ?? []).flatMap((p, i) => {
    const reason = unsafeOrderPattern(p);
    return reason ? [{ path: `options.orderPatterns.${i}`, message: reason }] : [];
  });
  if (bad.length) throw new ValidationError('invalid dataset', bad);
}
