import { botMayAnswer, initialOwnership, transition, type Ownership, type OwnershipEvent } from './conversation/ownership';
import { handoffPolicy } from './handoff/config';
import { aTurn } from './handoff/factories';
import { evaluateHandoff } from './handoff/policy';
import { buildHandoffSummary } from './handoff/summary';
import type { BotTurn } from './handoff/turn';
import { decide } from './routing/decide';
import { parseSkillGroups, type Agent } from './routing/model';

// The use-case sequence the router runs, with the domain functions only: three unsatisfied turns
// hand off, routing picks an agent, and a bot answer that arrives late is refused.
describe('handoff scenario', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 15, 0, s));
  const apply = (o: Ownership, e: OwnershipEvent): Ownership => {
    const r = transition(o, e);
    if (!r.ok) throw r.error;
    return r.state;
  };

  it('hands off after 3 unsatisfied turns and silences the bot', () => {
    const policy = handoffPolicy();
    const groups = parseSkillGroups([{ id: 'es-general', languages: ['es'] }]);
    const agents: Agent[] = [{ id: 'ana', groupIds: ['es-general'], languages: ['es'], maxConcurrent: 2, activeCount: 0, presence: 'online' }];
    const bad = [0.3, 0.2, 0.1].map((confidence, i) => aTurn({ language: 'es', intent: { name: `i${i}`, confidence }, customerText: 'no entiendo' }));

    let o = initialOwnership(at(0));
    const turns: BotTurn[] = [];
    for (const [i, turn] of bad.entries()) {
      o = apply(o, { type: 'customer_message', at: at(i * 10) });
      turns.push(turn);
      const decision = evaluateHandoff(turns, policy);
      if (!decision.handoff) {
        expect(botMayAnswer(o)).toBe(true);
        o = apply(o, { type: 'bot_answered', at: at(i * 10 + 1) });
        continue;
      }
      expect(i).toBe(2);
      const route = decide({ id: 'c1', channel: 'web', language: 'es', customer: { id: 'cust' } }, groups, agents, at(i * 10 + 1));
      expect(route).toMatchObject({ kind: 'assign', agentId: 'ana' });
      if (route.kind !== 'assign') return;
      o = apply(o, { type: 'handoff_requested', at: at(i * 10 + 1), reason: decision.reasons[0]?.code ?? '', groupId: route.groupId });
      o = apply(o, { type: 'agent_assigned', at: at(i * 10 + 1), agentId: route.agentId, groupId: route.groupId });
      expect(buildHandoffSummary(turns, decision.reasons).text).toContain('unsatisfied_turns');
    }

    expect(o).toMatchObject({ state: 'assigned', agentId: 'ana' });
    expect(botMayAnswer(o)).toBe(false);
    const late = transition(o, { type: 'bot_answered', at: at(40) });
    expect(late.ok).toBe(false);
  });
});
