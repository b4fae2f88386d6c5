import type { CannedResponseRepository, ConversationDoc, ConversationNoteDoc, ConversationNoteRepository, ConversationRepository, ConversationViewerDoc, ConversationViewerRepository } from '@omni/persistence';
import { callerOf } from '@omni/auth/testing';
import { DeskCollaboration, VIEWER_FRESH_MS, authorOf } from './collaboration';
import { ConversationLookup } from './conversation-lookup';

const now = new Date('2026-12-07T10:00:00.000Z');

/** Over in-memory rows that keep what the use case wrote and the freshness bound it asked for. */
function newDesk() {
  const rows = new Map<string, ConversationViewerDoc>();
  const notes: ConversationNoteDoc[] = [];
  const asked: Date[] = [];
  const conv = { _id: 'c1', tenantId: 't1' } as ConversationDoc;
  const lookup = new ConversationLookup({ get: async (id: string) => (id === conv._id ? conv : null) } as unknown as ConversationRepository);
  const viewers = {
    beat: async (v: ConversationViewerDoc) => void rows.set(v._id, v),
    active: async (_t: string, _c: string, since: Date) => { asked.push(since); return [...rows.values()].filter((v) => v.at > since); },
    leave: async (_t: string, id: string) => void rows.delete(id),
  } as ConversationViewerRepository;
  const noteRepo = {
    insert: async (n: ConversationNoteDoc) => void notes.push(n),
    of: async () => notes,
    count: async () => notes.length,
  } as ConversationNoteRepository;
  return { desk: new DeskCollaboration(lookup, noteRepo, viewers, {} as CannedResponseRepository), rows, notes, asked };
}

describe('desk collaboration', () => {
  const ana = callerOf('agent', { personId: 'p_ana', personName: 'Ana', agentId: 'ana' });
  const bo = callerOf('agent', { personId: 'p_bo', personName: 'Bo', agentId: 'bo' });

  it('tells a viewer who else has the conversation open and who types — not themself, not a stale heartbeat', async () => {
    const d = newDesk();
    expect(await d.desk.view(ana, 'c1', false, now)).toEqual({ others: [], notes: 0 });
    await d.desk.view(bo, 'c1', true, new Date(now.getTime() + 1_000));
    expect((await d.desk.view(ana, 'c1', false, new Date(now.getTime() + 2_000))).others).toEqual([{ id: 'p_bo', name: 'Bo', agentId: 'bo', typing: true, at: new Date(now.getTime() + 1_000) }]);
    expect(d.asked.at(-1)).toEqual(new Date(now.getTime() + 2_000 - VIEWER_FRESH_MS));
    // Bo's tab went away without a word: past the freshness window he is gone; leaving says so at once.
    expect((await d.desk.view(ana, 'c1', false, new Date(now.getTime() + 1_000 + VIEWER_FRESH_MS))).others).toEqual([]);
    await d.desk.view(bo, 'c1', false, new Date(now.getTime() + 20_000));
    await d.desk.leave(bo, 'c1');
    expect((await d.desk.view(ana, 'c1', false, new Date(now.getTime() + 20_500))).others).toEqual([]);
  });

  it('stores a note with its author and counts it for the viewers; another tenant’s conversation is not found', async () => {
    const d = newDesk();
    const note = await d.desk.addNote(ana, 'c1', 'customer is upset about a second late order', now);
    expect(note).toMatchObject({ tenantId: 't1', conversationId: 'c1', author: { id: 'p_ana', name: 'Ana', agentId: 'ana' }, text: 'customer is upset about a second late order', at: now });
    expect((await d.desk.view(bo, 'c1', false, now)).notes).toBe(1);
    const other = callerOf('agent', { tenantId: 't2', personId: 'p_x' });
    await expect(d.desk.addNote(other, 'c1', 'x')).rejects.toThrow('conversation c1 not found');
    await expect(d.desk.view(other, 'c1', false)).rejects.toThrow('conversation c1 not found');
    expect(d.notes).toHaveLength(1);
  });

  it('names a key by its id when no person signed in', () => {
    expect(authorOf(callerOf('agent', { keyId: 'k1', keyName: 'crm', agentId: 'ana' }))).toEqual({ id: 'key:k1', name: 'crm', agentId: 'ana' });
  });
});
