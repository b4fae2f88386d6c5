import { z } from 'zod';
import { ChannelSchema, ValidationError, type Channel } from '@omni/contracts';
import { BusinessHoursSchema } from './business-hours';

/** A skill group as the tenant configures it; parsed when loaded so a bad time zone fails at once. */
export const SkillGroupSchema = z.object({
  id: z.string().min(1),
  /** Language tags the group serves; empty = any language. */
  languages: z.array(z.string().min(2)).default([]),
  /** Intents/topics the group is skilled in; empty = a general group. */
  intents: z.array(z.string().min(1)).default([]),
  /** Channels the group serves; empty = all. */
  channels: z.array(ChannelSchema).default([]),
  /** Absent = open around the clock. */
  hours: BusinessHoursSchema.optional(),
  fallbackGroupId: z.string().min(1).optional(),
  /** How long a conversation may wait in this group's queue before it overflows to the fallback. */
  slaSeconds: z.number().int().positive().default(300),
  /** Average handle time, for the expected-wait estimate. */
  averageHandleSeconds: z.number().int().positive().optional(),
});
export type SkillGroup = z.infer<typeof SkillGroupSchema>;

export function parseSkillGroups(input: unknown): SkillGroup[] {
  const parsed = z.array(SkillGroupSchema).safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('invalid skill groups', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const ids = new Set(parsed.data.map((g) => g.id));
  const issues = parsed.data.flatMap((g, i) =>
    g.fallbackGroupId !== undefined && (!ids.has(g.fallbackGroupId) || g.fallbackGroupId === g.id)
      ? [{ path: `${i}.fallbackGroupId`, message: `fallback ${g.fallbackGroupId} is not another configured group` }]
      : [],
  );
  if (ids.size !== parsed.data.length) issues.push({ path: 'id', message: 'group ids must be unique' });
  if (issues.length > 0) throw new ValidationError('invalid skill groups', issues);
  return parsed.data;
}

export type Presence = 'online' | 'away' | 'offline';

/** An agent's live routing state, as read from the agents collection at decision time. */
export interface Agent {
  readonly id: string;
  readonly groupIds: readonly string[];
  /** Language tags the agent speaks; empty = any. */
  readonly languages: readonly string[];
  readonly maxConcurrent: number;
  readonly activeCount: number;
  readonly presence: Presence;
  readonly lastAssignedAt?: Date;
}

export interface CustomerProfile {
  readonly id: string;
  readonly vip?: boolean;
  /** Higher first; 0 when absent. */
  readonly priority?: number;
  readonly lastAgentId?: string;
  readonly lastAgentAt?: Date;
}

export interface RoutingConversation {
  readonly id: string;
  readonly channel: Channel;
  readonly language: string;
  readonly intent?: string | null;
  readonly customer: CustomerProfile;
  /** Set when deciding again for a conversation that already waits in a queue. */
  readonly queued?: { readonly groupId: string; readonly since: Date; readonly firstQueuedAt: Date };
}

/** A waiting conversation, as the queue ordering sees it. */
export interface QueueEntry {
  readonly conversationId: string;
  readonly groupId: string;
  readonly vip: boolean;
  readonly priority: number;
  readonly firstQueuedAt: Date;
}

export interface RoutingOptions {
  /** The last agent is preferred for this long after they last served the customer. */
  readonly stickyDays: number;
  /** Used for groups without their own averageHandleSeconds. */
  readonly averageHandleSeconds: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = { stickyDays: 7, averageHandleSeconds: 300 };

export interface RoutingContext {
  /** The waiting conversations (any group); needed for fairness, position and expected wait. */
  readonly queue?: readonly QueueEntry[];
  readonly options?: Partial<RoutingOptions>;
}

export type RoutingDecision =
  | { readonly kind: 'assign'; readonly agentId: string; readonly groupId: string; readonly sticky: boolean; readonly overflowedFrom?: string; readonly why: readonly string[] }
  | { readonly kind: 'queue'; readonly groupId: string; readonly position: number; readonly expectedWaitSeconds: number; readonly overflowedFrom?: string; readonly why: readonly string[] }
  | { readonly kind: 'out_of_hours'; readonly groupId: string; readonly nextOpenAt: Date | null; readonly why: readonly string[] };
