import { OmniError, ValidationError, derivedId } from '@omni/contracts';
import type { AgentSlotRepository, ConversationDoc, ConversationRepository, MessageDoc, OwnershipClaimDoc } from '@omni/persistence';
import type { Ownership } from '@omni/routing';
import type { ConversationEvents } from '../conversations/conversation-events';
import type { CustomerMessages, OutgoingText } from '../conversations/customer-messages';
import type { ClaimExtras, OwnershipStore } from '../conversations/ownership.store';
import type { CustomerStanding } from '../customers/customer-standing';
import type { RecordOutcomes } from '../experiments/record-outcomes';
import type { QueueDispatcher } from '../handoff/queue-dispatcher.port';
import type { ReplyAttachments } from '../media/reply-attachments';
import type { AgentRepository } from '@omni/persistence';
import { AssignConversationUseCase } from './assign-conversation.use-case';
import { ConversationLookup } from './conversation-lookup';
import { ReplyToCustomerUseCase } from './reply-to-customer.use-case';
import { ResolveConversationUseCase } from './resolve-conversation.use-case';
import { TransferToQueueUseCase } from './transfer-to-queue.use-case';

const at = new Date('2026-12-01T10:00:00.000Z');
const conversation: ConversationDoc = {
  _id: 'c1', tenantId: 't1', region: 'local', channel: 'whatsapp', accountId: 'wa', customerId: 'cu1', channelUserId: 'u1', language: 'es',
  state: 'assigned', version: 2, agentId: 'ana', groupId: 'g1', since: at, lastMessageAt: at, createdAt: at, updatedAt: at,
};
const assigned: Ownership = { state: 'assigned', version: 2, since: at, agentId: 'ana', groupId: 'g1' };

/** The desk's use cases over in-memory fakes that record what each one did; `claimWins: false` = another replica took the version. */
function newDesk(o: { ownership?: Ownership; claimWins?: boolean; channel?: string } = {}) {
  const sent: OutgoingText[] = [];
  const released: string[] = [];
  const claims: { next: Ownership; extras: ClaimExtras }[] = [];
  const emitted: string[] = [];
  const dispatched: string[] = [];
  const stored = { ...conversation, channel: o.channel ?? conversation.channel };
  const conversations = { get: async (id: string) => (id === stored._id ? stored : null) } as unknown as ConversationRepository;
  const lookup = new ConversationLookup(conversations);
  const ownership = {
    current: async () => ({ ownership: o.ownership ?? assigned, entry: null }),
    commit: async (c: ConversationDoc, next: Ownership, extras: ClaimExtras, when: Date) => {
      claims.push({ next, extras });
      return o.claimWins === false ? null : ({ ...extras, _id: `${c._id}:${next.version}`, version: next.version, at: when } as OwnershipClaimDoc);
    },
  } as unknown as OwnershipStore;
  const customer = { send: async (_c: ConversationDoc, out: OutgoingText) => { sent.push(out); return { _id: out.id } as MessageDoc; } } as unknown as CustomerMessages;
  const reserved: string[] = [];
  const slots = {
    release: async (agentId: string) => { released.push(agentId); return true; },
    reserve: async (_t: string, agentId: string) => { reserved.push(agentId); return 'reserved'; },
  } as unknown as AgentSlotRepository;
  const agents = {
    get: async (_t: string, id: string) => ({ _id: id, name: id, groupIds: ['g1'], maxConcurrent: 3 }),
    markAssigned: async () => undefined,
  } as unknown as AgentRepository;
  const events = { emit: async (e: { kind: string }) => void emitted.push(e.kind) } as unknown as ConversationEvents;
  const outcomes = { resolved: async () => undefined } as unknown as RecordOutcomes;
  const files = { resolve: async () => ({ attachments: [] }) } as unknown as ReplyAttachments;
  const dispatcher = { dispatch: async (c: ConversationDoc) => void dispatched.push(c._id), groupFor: async () => 'g1' } satisfies QueueDispatcher;
  const standing = { of: async () => ({ vip: true, priority: 3 }) } as unknown as CustomerStanding;
  return {
    reply: new ReplyToCustomerUseCase(lookup, ownership, customer, files),
    resolve: new ResolveConversationUseCase(lookup, slots, ownership, customer, events, outcomes),
    transfer: new TransferToQueueUseCase(lookup, slots, ownership, events, dispatcher, standing),
    assign: new AssignConversationUseCase(lookup, agents, slots, ownership, events, customer),
    sent, released, reserved, claims, emitted, dispatched,
  };
}

describe('desk use cases', () => {
  it('a reply: only the assigned agent writes; an idempotency key makes a retried request the same message', async () => {
    const d = newDesk();
    const first = await d.reply.execute('t1', 'c1', { agentId: 'ana', text: 'hola' }, 'key-1');
    const again = await d.reply.execute('t1', 'c1', { agentId: 'ana', text: 'hola' }, 'key-1');
    expect(first._id).toBe(derivedId('t1:c1:key-1', 'agent-reply'));
    expect(again._id).toBe(first._id);
    await expect(d.reply.execute('t1', 'c1', { agentId: 'bob', text: 'hola' })).rejects.toThrow(/assigned to ana, not assigned to bob/);
    await expect(newDesk({ ownership: { state: 'bot', version: 0, since: at } }).reply.execute('t1', 'c1', { agentId: 'ana', text: 'x' })).rejects.toBeInstanceOf(OmniError);
    expect(d.sent.map((s) => s.author)).toEqual([{ kind: 'agent', id: 'ana' }, { kind: 'agent', id: 'ana' }]);
  });

  it('a reply: another tenant’s conversation is not found, and an email attachment must be an uploaded file', async () => {
    const d = newDesk();
    await expect(d.reply.execute('t2', 'c1', { agentId: 'ana', text: 'x' })).rejects.toThrow('conversation c1');
    const email = newDesk({ channel: 'email' });
    await expect(email.reply.execute('t1', 'c1', { agentId: 'ana', attachments: [{ url: 'https://example.com/a.pdf' }] as never })).rejects.toBeInstanceOf(ValidationError);
    expect(email.sent).toEqual([]);
  });

  it('resolving frees the agent’s slot after the claim, asks for CSAT in the customer’s language, announces it', async () => {
    const d = newDesk();
    await d.resolve.execute('t1', 'c1', 'req-1');
    expect(d.claims.map((c) => [c.next.state, c.extras.cause])).toEqual([['resolved', 'resolve:req-1']]);
    expect(d.released).toEqual(['ana']);
    expect(d.sent).toHaveLength(1);
    expect(d.sent[0]?.id).toBe(derivedId('c1:3', 'csat-ask'));
    expect(d.emitted).toEqual(['resolved']);
  });

  it('a lost resolve claim changes nothing: no slot freed, no CSAT, no event', async () => {
    const d = newDesk({ claimWins: false });
    await expect(d.resolve.execute('t1', 'c1', 'req-1')).rejects.toThrow(/changed meanwhile/);
    expect([d.released, d.sent, d.emitted]).toEqual([[], [], []]);
  });

  it('a transfer to a group queues with the customer’s standing, frees the agent and asks the dispatcher', async () => {
    const d = newDesk();
    await d.transfer.execute('t1', 'c1', { groupId: 'g2' }, 'req-2');
    expect(d.claims[0]?.next).toMatchObject({ state: 'queued', groupId: 'g2' });
    expect(d.claims[0]?.extras.queue).toMatchObject({ vip: true, priority: 3 });
    expect(d.released).toEqual(['ana']);
    expect(d.emitted).toEqual(['state_changed']);
    expect(d.dispatched).toEqual(['c1']);
  });

  it('taking a conversation that is already the agent’s (the dispatcher was first) returns it unchanged; another agent’s is a transfer', async () => {
    const d = newDesk();
    await expect(d.assign.execute('t1', 'c1', { agentId: 'ana' }, 'req-3')).resolves.toMatchObject({ _id: 'c1', agentId: 'ana' });
    expect([d.claims, d.reserved, d.released, d.sent, d.emitted]).toEqual([[], [], [], [], []]);
    await d.assign.execute('t1', 'c1', { agentId: 'bo' }, 'req-4');
    expect(d.claims.map((c) => c.next)).toMatchObject([{ state: 'assigned', agentId: 'bo' }]);
    expect([d.reserved, d.released]).toEqual([['bo'], ['ana']]);
  });
});
