import { OmniError } from '@omni/contracts';
import type { ConversationDoc, ConversationRepository } from '@omni/persistence';
import type { ResolveConversationUseCase } from '../desk/resolve-conversation.use-case';
import type { RouterConfig } from '../config';
import { IdleResolver } from './idle-resolver';

const now = new Date('2026-03-02T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const conv = (id: string, lastMessageAt: Date, state: ConversationDoc['state'] = 'bot'): ConversationDoc => ({
  _id: id, tenantId: 't', region: 'local', channel: 'web', accountId: 'a', customerId: `cu-${id}`, channelUserId: id,
  state, version: 0, lastMessageAt, createdAt: minutesAgo(90), updatedAt: lastMessageAt,
});

describe('IdleResolver', () => {
  it('resolves idle bot conversations as the system, skips fresh activity, tolerates lost races', async () => {
    const scanned = [conv('idle', minutesAgo(45)), conv('woke-up', minutesAgo(40)), conv('raced', minutesAgo(35))];
    const current = new Map(scanned.map((c) => [c._id, c]));
    current.set('woke-up', conv('woke-up', minutesAgo(0.1)));
    const conversations = {
      idleInBot: async (before: Date) => scanned.filter((c) => c.lastMessageAt < before),
      get: async (id: string) => current.get(id) ?? null,
    } as unknown as ConversationRepository;
    const resolved: [string, string][] = [];
    const resolution = {
      execute: async (_t: string, id: string, _req: string, by: string) => {
        if (id === 'raced') throw new OmniError('conflict', 'changed meanwhile', false);
        resolved.push([id, by]);
        return current.get(id);
      },
    } as unknown as ResolveConversationUseCase;
    const resolver = new IdleResolver(conversations, resolution, { ROUTER_IDLE_RESOLVE_AFTER_MS: 30 * 60_000 } as RouterConfig);
    expect(await resolver.sweep(now)).toBe(1);
    expect(resolved).toEqual([['idle', 'system']]);
  });

  it('surfaces other errors so the pass is logged and retried', async () => {
    const conversations = { idleInBot: async () => [conv('x', minutesAgo(60))], get: async () => conv('x', minutesAgo(60)) } as unknown as ConversationRepository;
    const resolution = { execute: async () => { throw new Error('db down'); } } as unknown as ResolveConversationUseCase;
    await expect(new IdleResolver(conversations, resolution, { ROUTER_IDLE_RESOLVE_AFTER_MS: 60_000 } as RouterConfig).sweep(now)).rejects.toThrow('db down');
  });
});
