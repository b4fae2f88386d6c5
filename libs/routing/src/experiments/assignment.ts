import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '@omni/contracts';

export const ExperimentSchema = z
  .object({
    id: z.string().min(1).max(128),
    /** Hashing input instead of the id; change it to reshuffle customers deliberately. */
    salt: z.string().min(1).max(128).optional(),
    variants: z.array(z.object({ id: z.string().min(1).max(64), weight: z.number().positive() })).min(1).max(20),
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
