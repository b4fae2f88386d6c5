import { z } from 'zod';
import { ValidationError } from '@omni/contracts';
import type { Experiment } from './assignment';
import { meanEstimate, wilsonInterval, type Interval, type MeanEstimate } from './stats';

/**
 * One finished conversation of an experiment. Recorded once the conversation resolves (or is
 * closed unresolved), with the variant it actually ran: reports never recompute assignments, so a
 * later weight change cannot rewrite history.
 */
export const ExperimentOutcomeSchema = z
  .object({
    experimentId: z.string().min(1),
    variantId: z.string().min(1),
    conversationId: z.string().min(1),
    customerId: z.string().min(1),
    startedAt: z.date(),
    endedAt: z.date(),
    /** Contained = the bot finished it without a handoff. */
    handedOff: z.boolean(),
    csat: z.number().int().min(1).max(5).optional(),
  })
  .refine((o) => o.endedAt.getTime() >= o.startedAt.getTime(), { message: 'endedAt before startedAt', path: ['endedAt'] });
export type ExperimentOutcome = z.infer<typeof ExperimentOutcomeSchema>;

export function recordOutcome(input: unknown): ExperimentOutcome {
  const parsed = ExperimentOutcomeSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('invalid experiment outcome', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}

export interface ProportionEstimate {
  readonly successes: number;
  readonly n: number;
  readonly rate: number | null;
  readonly ci: Interval | null;
}

export interface VariantReport {
  readonly variantId: string;
  readonly conversations: number;
  readonly containment: ProportionEstimate;
  readonly csat: MeanEstimate;
  readonly timeToResolutionSeconds: MeanEstimate;
}

export interface ExperimentReport {
  readonly experimentId: string;
  readonly variants: readonly VariantReport[];
  /** Outcomes of other experiments, unknown variants or repeated conversations (at-least-once delivery). */
  readonly ignored: number;
}

/** Per-variant containment (Wilson 95%), CSAT mean and time to resolution (Student-t 95%). */
export function experimentReport(experiment: Experiment, outcomes: readonly ExperimentOutcome[]): ExperimentReport {
  const variantIds = new Set(experiment.variants.map((v) => v.id));
  const seen = new Set<string>();
  const byVariant = new Map<string, ExperimentOutcome[]>(experiment.variants.map((v) => [v.id, []]));
  let ignored = 0;
  for (const o of outcomes) {
    if (o.experimentId !== experiment.id || !variantIds.has(o.variantId) || seen.has(o.conversationId)) {
      ignored++;
      continue;
    }
    seen.add(o.conversationId);
    byVariant.get(o.variantId)?.push(o);
  }
  const variants = experiment.variants.map((v): VariantReport => {
    const rows = byVariant.get(v.id) ?? [];
    const contained = rows.filter((o) => !o.handedOff).length;
    return {
      variantId: v.id,
      conversations: rows.length,
      containment: { successes: contained, n: rows.length, rate: rows.length ? contained / rows.length : null, ci: wilsonInterval(contained, rows.length) },
      csat: meanEstimate(rows.flatMap((o) => (o.csat === undefined ? [] : [o.csat]))),
      timeToResolutionSeconds: meanEstimate(rows.map((o) => (o.endedAt.getTime() - o.startedAt.getTime()) / 1000)),
    };
  });
  return { experimentId: experiment.id, variants, ignored };
}
