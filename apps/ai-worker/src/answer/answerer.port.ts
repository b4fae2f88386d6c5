import type { AiRequest, AiResult } from '@omni/contracts';

/** What an answering engine returns; the use case adds the routing fields and publishes it. */
export type Understanding = Pick<AiResult, 'language' | 'intent' | 'alternatives' | 'entities' | 'sentiment' | 'answer' | 'abstained' | 'reasons' | 'engine'>
  & Partial<Pick<AiResult, 'handoff' | 'transcript'>>;

export interface Answerer {
  understand(request: AiRequest): Promise<Understanding>;
}

export const ANSWERER = Symbol('Answerer');
