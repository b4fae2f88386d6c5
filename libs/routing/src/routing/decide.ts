import { compareByLoad, ineligibility } from './agents';
import { isOpen, nextOpenAt } from './business-hours';
import {
  DEFAULT_ROUTING_OPTIONS, type Agent, type RoutingContext, type RoutingConversation, type RoutingDecision, type RoutingOptions, type SkillGroup,
} from './model';
import { entriesAhead, queueEntryFor } from './queue';
import { languageKey, selectGroup } from './select-group';

const DAY_MS = 86_400_000;

/**
 * The routing policy, in this order: group (language, then intent → skill), SLA overflow, business
 * hours, queue fairness, sticky last agent, least-busy agent, else queue. Pure: it reads a snapshot;
 * the router makes the result true with conditional writes (docs/adr/0200-routing-policy.md).
 */
export function decide(
  conversation: RoutingConversation,
  groups: readonly SkillGroup[],
  agents: readonly Agent[],
  now: Date,
  context: RoutingContext = {},
): RoutingDecision {
  const options: RoutingOptions = { ...DEFAULT_ROUTING_OPTIONS, ...context.options };
  const why: string[] = [];
  const byId = new Map(groups.map((g) => [g.id, g]));

  let group: SkillGroup;
  let overflowedFrom: string | undefined;
  const current = conversation.queued ? byId.get(conversation.queued.groupId) : undefined;
  if (conversation.queued && current) {
    group = current;
    why.push(`waiting in group ${group.id}`);
    const waited = Math.floor((now.getTime() - conversation.queued.since.getTime()) / 1000);
    const fallback = group.fallbackGroupId ? byId.get(group.fallbackGroupId) : undefined;
    if (waited > group.slaSeconds && fallback) {
      why.push(`waited ${waited}s > SLA ${group.slaSeconds}s in ${group.id}; overflow to ${fallback.id}`);
      overflowedFrom = group.id;
      group = fallback;
    }
  } else {
    if (conversation.queued) why.push(`group ${conversation.queued.groupId} no longer exists; routing again`);
    group = selectGroup(conversation, groups, why);
  }

  if (group.hours && !isOpen(group.hours, now)) {
    const closedTo = group.afterHoursGroupId ?? group.fallbackGroupId;
    const fallback = closedTo ? byId.get(closedTo) : undefined;
    if (fallback && fallback.id !== overflowedFrom && (!fallback.hours || isOpen(fallback.hours, now))) {
      why.push(`${group.id} is closed (${group.hours.timeZone}); fallback ${fallback.id} is open`);
      overflowedFrom ??= group.id;
      group = fallback;
    } else {
      const next = nextOpenAt(group.hours, now);
      why.push(`${group.id} is closed in ${group.hours.timeZone}; opens ${next ? next.toISOString() : 'never (no schedule)'}`);
      return { kind: 'out_of_hours', groupId: group.id, nextOpenAt: next, why };
    }
  }
  const overflow = overflowedFrom ? { overflowedFrom } : {};

  const language = languageKey(conversation.language);
  const entry = queueEntryFor(conversation.id, group.id, conversation.customer, conversation.queued?.firstQueuedAt ?? now);
  const ahead = entriesAhead(context.queue ?? [], entry);
  const queue = (reason: string): RoutingDecision => {
    const position = ahead.length + 1;
    const online = agents.filter((a) => a.groupIds.includes(group.id) && a.presence === 'online');
    const slots = online.reduce((sum, a) => sum + a.maxConcurrent, 0);
    const handle = group.averageHandleSeconds ?? options.averageHandleSeconds;
    // Erlang-free estimate: each online slot frees one conversation per average handle time.
    const expectedWaitSeconds = Math.ceil(position / Math.max(slots, 1)) * handle;
    why.push(reason, `position ${position}; ${slots} online slot(s), ${handle}s average handle → ~${expectedWaitSeconds}s`);
    return { kind: 'queue', groupId: group.id, position, expectedWaitSeconds, ...overflow, why };
  };

  // Fairness: a newcomer never jumps over conversations already waiting in front of it in this group.
  if (ahead.length > 0) return queue(`${ahead.length} conversation(s) ahead in ${group.id}`);

  const { lastAgentId, lastAgentAt } = conversation.customer;
  if (lastAgentId && lastAgentAt && now.getTime() - lastAgentAt.getTime() <= options.stickyDays * DAY_MS) {
    const last = agents.find((a) => a.id === lastAgentId);
    const blocked = last ? ineligibility(last, group.id, language) : 'unknown agent';
    if (last && !blocked) {
      why.push(`sticky: last agent ${last.id} served this customer within ${options.stickyDays} days and is free (${last.activeCount}/${last.maxConcurrent})`);
      return { kind: 'assign', agentId: last.id, groupId: group.id, sticky: true, ...overflow, why };
    }
    why.push(`last agent ${lastAgentId} not available: ${blocked}`);
  }

  const members = agents.filter((a) => a.groupIds.includes(group.id));
  const eligible = members.filter((a) => ineligibility(a, group.id, language) === undefined).sort(compareByLoad);
  const best = eligible[0];
  if (best) {
    why.push(`least busy of ${eligible.length} eligible agent(s) in ${group.id}: ${best.id} (${best.activeCount}/${best.maxConcurrent})`);
    return { kind: 'assign', agentId: best.id, groupId: group.id, sticky: false, ...overflow, why };
  }
  const blocked = members.map((a) => `${a.id} ${ineligibility(a, group.id, language) ?? ''}`.trim());
  return queue(members.length > 0 ? `no eligible agent in ${group.id}: ${blocked.join('; ')}` : `group ${group.id} has no agents`);
}
