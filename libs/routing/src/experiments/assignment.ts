import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@omni/contracts';

/**
 * What a variant changes in the flow; absent = the tenant's normal behaviour. The router applies
 * each one: the handoff threshold in the handoff rules, the greeting as the first message of a new
 * conversation, the reply style on prompts that offer choices (CSAT).
 */
export const FlowParamsSchema = z
  .object({
    /** Consecutive unsatisfied bot turns before a handoff (overrides the tenant's policy). */
    handoffThreshold: z.number().int().min(1).max(50).optional(),
    /** Welcome text per language (primary subtag, e.g. `en`, `es`); English is the fallback. */
    greeting: z.record(z.string().regex(/^[a-z]{2,3}$/, 'a primary language subtag'), z.string().min(1).max(1024)).optional(),
    /** Choices as buttons or as "reply with a number". */
    replyStyle: z.enum(['buttons', 'free_text']).optional(),
  })
  .strict();
export type FlowParams = z.infer<typeof FlowParamsSchema>;

export const ExperimentSchema = z
  .object({
    id: z.string().min(1).max(128),
    /** Hashing input instead of the id; change it to reshuffle customers deliberately. */
    salt: z.string().min(1).max(128).optional(),
    variants: z
      .array(z.object({ id: z.string().min(1).max(64), weight: z.number().positive(), params: FlowParamsSchema.optional() }))
      .min(1)
      .max(20),
  })
  .refine((e) => new Set(e.variants.map((v) => v.id)).size === e.variants.length, { message: 'variant ids must be unique', path: ['variants'] });
export type Experiment = z.infer<typeof ExperimentSchema>;

export function parseExperiment(input: unknown): Experiment {
  const parsed = ExperimentSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('invalid experiment', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

/**
 * A uniform number in [0, 1) from a key: the first 48 bits of its SHA-256. The same in every
 * process, language and release (unlike Math.random or a seeded PRNG), so a customer keeps their
 * variant across router replicas and restarts. 48 bits are exact in a double.
 */
export function hashToUnit(key: string): number {
  return createHash('sha256').update(key, 'utf8').digest().readUIntBE(0, 6) / 2 ** 48;
}

/** The variant a customer sees in an experiment; proportional to the weights, stable per (experiment, customer). */
export function assignVariant(experiment: Experiment, customerId: string): string {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  const x = hashToUnit(`${experiment.salt ?? experiment.id}\u0000${customerId}`) * total;
  let cumulative = 0;
  for (const v of experiment.variants) {
    cumulative += v.weight;
    if (x < cumulative) return v.id;
  }
  // Only floating-point rounding at the very top of the range gets here.
  return experiment.variants[experiment.variants.length - 1]?.id ?? '';
}

/** The variant's greeting in the customer's language, else its English one, else none. */
export function variantGreeting(params: FlowParams | undefined, language: string | undefined): string | undefined {
  const greeting = params?.greeting;
  if (!greeting) return undefined;
  const primary = (language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return greeting[primary] ?? greeting.en;
}
