import { z } from 'zod';
import { ChannelSchema, ValidationError, type Channel } from '@omni/contracts';
import { BusinessHoursSchema, type BusinessHours } from './business-hours';

/** A skill group as the tenant configures it; parsed when loaded so a bad time zone fails at once. */
export const SkillGroupSchema = z.object({
  id: z.string().min(1),
  /** For people: the routing reads only the id. */
  name: z.string().trim().min(1).max(128).optional(),
  /** Language tags the group serves; empty = any language. */
  languages: z.array(z.string().min(2)).default([]),
  /** Intents/topics the group is skilled in; empty = a general group. */
  intents: z.array(z.string().min(1)).default([]),
  /** Channels the group serves; empty = all. */
  channels: z.array(ChannelSchema).default([]),
  /** Absent = open around the clock. */
  hours: BusinessHoursSchema.optional(),
  fallbackGroupId: z.string().min(1).optional(),
  /** Where conversations go while this group is closed (else the fallback); the tenant's `hours` setting names one for every group. */
  afterHoursGroupId: z.string().min(1).optional(),
  /** How long a conversation may wait in this group's queue before it overflows to the fallback. */
  slaSeconds: z.number().int().positive().default(300),
  /**
   * How long after the handoff a conversation of this group should be resolved (the resolution SLA);
   * absent = no target. The tenant's `sla.resolutionSeconds` is the default of every group.
   */
  resolutionSeconds: z.number().int().min(60).max(30 * 86_400).optional(),
  /** Average handle time, for the expected-wait estimate. */
  averageHandleSeconds: z.number().int().positive().optional(),
});
export type SkillGroup = z.infer<typeof SkillGroupSchema>;

/** What is wrong with a list of groups as a whole (ids, references), with paths relative to the list. */
function groupListIssues(groups: ReadonlyArray<Pick<SkillGroup, 'id' | 'fallbackGroupId' | 'afterHoursGroupId'>>): { path: (string | number)[]; message: string }[] {
  const ids = new Set(groups.map((g) => g.id));
  const issues = groups.flatMap((g, i) => (['fallbackGroupId', 'afterHoursGroupId'] as const).flatMap((field) => {
    const ref = g[field];
    return ref !== undefined && (!ids.has(ref) || ref === g.id) ? [{ path: [i, field], message: `${ref} is not another configured group` }] : [];
  }));
  if (ids.size !== groups.length) issues.push({ path: [], message: 'group ids must be unique' });
  return issues;
}

export function parseSkillGroups(input: unknown): SkillGroup[] {
  const parsed = z.array(SkillGroupSchema).safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('invalid skill groups', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  const issues = groupListIssues(parsed.data);
  if (issues.length > 0) throw new ValidationError('invalid skill groups', issues.map((i) => ({ path: i.path.length ? i.path.join('.') : 'id', message: i.message })));
  return parsed.data;
}

/**
 * Skill groups as an admin writes them (the tenant settings' `skillGroups`, PUT /v1/skill-groups):
 * validated, but stored as written — no defaults filled in — so a group without its own `slaSeconds`
 * or `hours` takes the tenant's (`withTenantDefaults`) when routing reads it.
 */
export const SkillGroupsInputSchema = z.array(z.record(z.string(), z.unknown())).max(200).superRefine((groups, ctx) => {
  const parsed = z.array(SkillGroupSchema.strict()).safeParse(groups);
  if (!parsed.success) {
    for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
    return;
  }
  for (const i of groupListIssues(parsed.data)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});

/** A tenant's defaults for its groups (from its settings: `hours`, `sla`). */
export interface GroupDefaults {
  readonly hours?: BusinessHours;
  readonly slaSeconds?: number;
  /** The resolution SLA of groups without their own `resolutionSeconds`. */
  readonly resolutionSeconds?: number;
  /** The group that takes conversations while the others are closed: it is exempt from `hours`. */
  readonly afterHoursGroupId?: string;
}

/**
 * The groups routing uses: each group's own configuration over the tenant's defaults — a group without
 * its own hours keeps the tenant's business hours (except the after-hours group), one without its own
 * `slaSeconds` the tenant's first-response SLA (and `resolutionSeconds` its resolution SLA), and every closed group sends to the tenant's after-hours
 * group unless it names its own. An after-hours group that is not (or no longer) configured is ignored.
 */
export function withTenantDefaults(configs: ReadonlyArray<Record<string, unknown>>, d: GroupDefaults): SkillGroup[] {
  const after = d.afterHoursGroupId !== undefined && configs.some((c) => c.id === d.afterHoursGroupId) ? d.afterHoursGroupId : undefined;
  return parseSkillGroups(configs.map((c) => {
    const isAfter = after !== undefined && c.id === after;
    return {
      ...(d.slaSeconds !== undefined ? { slaSeconds: d.slaSeconds } : {}),
      ...(d.resolutionSeconds !== undefined ? { resolutionSeconds: d.resolutionSeconds } : {}),
      ...(d.hours && !isAfter ? { hours: d.hours } : {}),
      ...(after && !isAfter ? { afterHoursGroupId: after } : {}),
      ...c,
    };
  }));
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
