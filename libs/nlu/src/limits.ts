/**
 * What the engine reads of one message. A message longer than this is truncated (never
 * rejected): customers paste whole e-mails, logs or documents, and the intent is in the first
 * lines; what is past the limit is never scanned by any stage (entities, tenant order patterns,
 * language, classifier, sentiment), so the cost of analyze() is bounded whatever is sent.
 *
 * 4,000 UTF-16 code units: above WhatsApp's 4,096-character message limit's useful part, twice
 * the longest training example a tenant may upload (2,000) and the size of a long e-mail reply.
 */
export const MAX_TEXT_CHARS = 4000;

export interface CappedText {
  readonly text: string;
  /** The length of the input as sent (UTF-16 code units). */
  readonly originalLength: number;
  readonly truncated: boolean;
}

/** Truncates to MAX_TEXT_CHARS (or `max`) without splitting a surrogate pair. */
export function capText(input: string, max = MAX_TEXT_CHARS): CappedText {
  if (input.length <= max) return { text: input, originalLength: input.length, truncated: false };
  let end = max;
  const last = input.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair is past the limit
  return { text: input.slice(0, end), originalLength: input.length, truncated: true };
}
