/** A request to an external model: everything in it is already redacted (see NluAnswerer). */
export interface DraftRequest {
  readonly tenantId: string;
  /** ISO 639-1 language the reply must be written in. */
  readonly language: string;
  readonly intent: string;
  /** The customer's message with personal data replaced by placeholders like `[email_1]`. */
  readonly customerText: string;
  /** The KB article the reply must stay within, redacted the same way. */
  readonly article: string;
}

/** Drafts a reply grounded in a KB article (an optional provider; the offline answer is the fallback). */
export interface AnswerDrafter {
  /** For reasons and logs, e.g. `openai-compatible:<model>`. */
  readonly name: string;
  draft(request: DraftRequest): Promise<string>;
}

export const ANSWER_DRAFTER = Symbol('AnswerDrafter');
