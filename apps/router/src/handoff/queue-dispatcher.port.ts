import type { AiResult } from '@omni/contracts';
import type { ConversationDoc } from '@omni/persistence';

/** Where a handed-off conversation waits, and the attempt to give it to an agent (routing context). */
export abstract class QueueDispatcher {
  /** The skill group a conversation handed off now would wait in. */
  abstract groupFor(c: ConversationDoc, r: Pick<AiResult, 'language' | 'intent'>): Promise<string>;
  /** Tries to assign a queued conversation now; otherwise tells the customer their position. */
  abstract dispatch(c: ConversationDoc, language: string | undefined): Promise<void>;
}
