import { FatalError } from '@omni/contracts';
import { normalizeLanguage } from '../languages';
import type { RoutingConversation, SkillGroup } from './model';

/** Primary language of a tag, so 'pt-BR' matches a group configured for 'pt'. */
export function languageKey(tag: string): string {
  return normalizeLanguage(tag) ?? tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

export function speaks(languages: readonly string[], language: string): boolean {
  return languages.length === 0 || languages.some((l) => languageKey(l) === languageKey(language));
}

/**
 * Language first, then intent → skill: among the groups serving the channel, those that explicitly
 * speak the customer's language, else those open to any language, else all of them; within those,
 * the first skilled in the intent, else the first general group, else the first one. The tenant's
 * group order is the tie-break, so the result is stable and the admin can predict it.
 */
export function selectGroup(conversation: RoutingConversation, groups: readonly SkillGroup[], why: string[]): SkillGroup {
  const onChannel = groups.filter((g) => g.channels.length === 0 || g.channels.includes(conversation.channel));
  if (onChannel.length === 0) throw new FatalError('no_skill_group', `no skill group serves channel ${conversation.channel}`);

  const lang = languageKey(conversation.language);
  const explicit = onChannel.filter((g) => g.languages.length > 0 && speaks(g.languages, lang));
  const anyLanguage = onChannel.filter((g) => g.languages.length === 0);
  let pool: SkillGroup[];
  if (explicit.length > 0) {
    pool = explicit;
    why.push(`language ${lang}: served by ${ids(explicit)}`);
  } else if (anyLanguage.length > 0) {
    pool = anyLanguage;
    why.push(`language ${lang}: no dedicated group; using any-language groups ${ids(anyLanguage)}`);
  } else {
    pool = onChannel;
    why.push(`language ${lang}: no group speaks it; considering all groups on ${conversation.channel}`);
  }

  const intent = conversation.intent ?? undefined;
  const skilled = intent ? pool.find((g) => g.intents.includes(intent)) : undefined;
  if (skilled) {
    why.push(`intent ${intent} → skill group ${skilled.id}`);
    return skilled;
  }
  const general = pool.find((g) => g.intents.length === 0);
  const chosen = general ?? pool[0];
  if (!chosen) throw new FatalError('no_skill_group', 'no skill group left after filtering');
  why.push(`${intent ? `no group skilled in ${intent}` : 'no intent'}; ${general ? 'general' : 'first'} group ${chosen.id}`);
  return chosen;
}

function ids(groups: readonly SkillGroup[]): string {
  return groups.map((g) => g.id).join(', ');
}
