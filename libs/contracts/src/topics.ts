import type { Channel } from './schemas';

/** Topic names (★ public contract). The partition key of every topic is the conversationId. */
export const TOPICS = {
  inbound: 'omni.inbound.v1',
  status: 'omni.status.v1',
  aiRequest: 'omni.ai.request.v1',
  aiResult: 'omni.ai.result.v1',
  conversation: 'omni.conversation.v1',
  /** What became of each AI prediction (router → ai-worker's prediction log). Added beside the ★ topics; not one of them. */
  aiOutcome: 'omni.ai.outcome.v1',
} as const;

export function outboundTopic(channel: Channel): string {
  return `omni.outbound.${channel}.v1`;
}

/** Dead letters of `topic`: the original record, its headers and the error. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Delayed re-delivery of `topic`'s failed records (consumed by the group named in the record). */
export function retryTopic(topic: string): string {
  return `${topic}.retry`;
}

/**
 * A peer region's topic as MirrorMaker 2 names its copy here (DefaultReplicationPolicy: `<source
 * alias>.<topic>`, ADR 0300), e.g. `local-b.omni.inbound.v1`. Under a KAFKA_TOPIC_PREFIX the source
 * topic is `<prefix>omni.…` and its copy `<alias>.<prefix>omni.…`: libs/messaging puts the prefix
 * after the alias when it resolves a mirrored name.
 */
export function mirroredTopic(region: string, topic: string): string {
  return `${region}.${topic}`;
}
