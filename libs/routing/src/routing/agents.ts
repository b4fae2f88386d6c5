import type { Agent } from './model';
import { speaks } from './select-group';

export function hasCapacity(agent: Agent): boolean {
  return agent.activeCount < agent.maxConcurrent;
}

/** Why an agent cannot take a conversation of `groupId` in `language` now, or undefined if it can. */
export function ineligibility(agent: Agent, groupId: string, language: string): string | undefined {
  if (!agent.groupIds.includes(groupId)) return `not in group ${groupId}`;
  if (agent.presence !== 'online') return agent.presence;
  if (!hasCapacity(agent)) return `at capacity ${agent.activeCount}/${agent.maxConcurrent}`;
  if (!speaks(agent.languages, language)) return `does not speak ${language}`;
  return undefined;
}

/**
 * Least busy by load ratio (so a 1-slot agent with 0 chats beats a 5-slot agent with 1), then fewer
 * active chats, then the longest idle (never assigned counts as idle forever), then id.
 */
export function compareByLoad(a: Agent, b: Agent): number {
  const ratio = a.activeCount / a.maxConcurrent - b.activeCount / b.maxConcurrent;
  if (ratio !== 0) return ratio;
  if (a.activeCount !== b.activeCount) return a.activeCount - b.activeCount;
  const idle = (a.lastAssignedAt?.getTime() ?? -Infinity) - (b.lastAssignedAt?.getTime() ?? -Infinity);
  if (idle !== 0 && !Number.isNaN(idle)) return idle;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
