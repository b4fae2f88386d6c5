import { z } from 'zod';
import { ValidationError } from '@omni/contracts';

const toggle = (enabled = true) => z.object({ enabled: z.boolean().default(enabled) });

/**
 * A tenant's handoff policy. Stored per tenant and parsed here, so a missing field takes the default
 * and a wrong one fails loudly at load time instead of silently never handing off.
 */
export const HandoffPolicySchema = z.object({
  humanRequest: z
    .object({
      /** NLU intents meaning "I want a person". */
      intents: z.array(z.string().min(1)).default(['talk_to_human']),
      minConfidence: z.number().min(0).max(1).default(0.5),
      /** Also match HUMAN_REQUEST_PHRASES in the customer's text, in all ten languages. */
      keywords: z.boolean().default(true),
      extraPhrases: z.array(z.string().min(2).max(100)).max(200).default([]),
    })
    .prefault({}),
  unsatisfiedTurns: z
    .object({
      /** Consecutive unsatisfied bot turns that trigger a handoff. */
      threshold: z.number().int().min(1).max(50).default(3),
      lowConfidence: toggle().extend({ below: z.number().min(0).max(1).default(0.5) }).prefault({}),
      repeatedIntent: toggle().prefault({}),
      negativeSentiment: toggle().extend({ atOrBelow: z.number().min(-1).max(1).default(-0.3) }).prefault({}),
      thumbsDown: toggle().prefault({}),
      botAbstained: toggle().prefault({}),
    })
    .prefault({}),
  /** Hand off at once when the NLU sets sentiment.escalate (abuse, legal threats). */
  sentimentEscalation: z.boolean().default(false),
  humanOnlyIntents: z
    .array(
      z.object({
        intent: z.string().min(1),
        /** Without it every occurrence of the intent is human-only. */
        minAmount: z.number().nonnegative().optional(),
        amountEntity: z.string().min(1).default('amount'),
        /** With a minAmount but no readable amount: let the bot ask for it, or hand off anyway. */
        whenAmountUnknown: z.enum(['bot', 'human']).default('bot'),
      }),
    )
    .default([]),
});

export type HandoffPolicy = z.infer<typeof HandoffPolicySchema>;
export type HandoffPolicyInput = z.input<typeof HandoffPolicySchema>;

/** Parses a tenant's stored policy (partial is fine); throws ValidationError with the offending paths. */
export function handoffPolicy(input: unknown = {}): HandoffPolicy {
  const parsed = HandoffPolicySchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError(
      'invalid handoff policy',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}
