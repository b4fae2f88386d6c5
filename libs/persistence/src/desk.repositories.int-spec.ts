import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from './persistence.module';
import {
  CANNED_RESPONSE_REPOSITORY, CONVERSATION_NOTE_REPOSITORY, CONVERSATION_VIEWER_REPOSITORY, CannedResponseRepository, ConversationNoteRepository, ConversationViewerRepository,
} from './desk.ports';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/desk-${Date.now().toString(36)}`;
  return u.toString();
})();

/** The workspace's notes, viewers and canned responses on the real MongoDB-protocol server (ADR 0700). */
describe('desk notes, viewers and canned responses on a real database', () => {
  let app: INestApplicationContext;
  let notes: ConversationNoteRepository;
  let viewers: ConversationViewerRepository;
  let canned: CannedResponseRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    notes = app.get(CONVERSATION_NOTE_REPOSITORY);
    viewers = app.get(CONVERSATION_VIEWER_REPOSITORY);
    canned = app.get(CANNED_RESPONSE_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  const ana = { id: 'p_ana', name: 'Ana', agentId: 'ana' };

  it('keeps one viewer row per person however many heartbeats race (two tabs), and reads only the fresh ones of the tenant', async () => {
    const t0 = new Date('2026-12-07T10:00:00.000Z');
    const beat = (i: number) => viewers.beat({ _id: 'c1:p_ana', tenantId: 'acme', conversationId: 'c1', author: ana, typing: i % 2 === 0, at: new Date(t0.getTime() + i) });
    await Promise.all(Array.from({ length: 12 }, (_, i) => beat(i)));
    await viewers.beat({ _id: 'c1:p_bo', tenantId: 'acme', conversationId: 'c1', author: { id: 'p_bo', name: 'Bo' }, typing: false, at: new Date(t0.getTime() - 60_000) });
    const fresh = await viewers.active('acme', 'c1', new Date(t0.getTime() - 10_000));
    expect(fresh.map((v) => v.author.id)).toEqual(['p_ana']);
    expect(await viewers.active('globex', 'c1', new Date(0))).toEqual([]);
    await viewers.leave('acme', 'c1:p_ana');
    expect(await viewers.active('acme', 'c1', new Date(t0.getTime() - 10_000))).toEqual([]);
  });

  it('lists a conversation’s notes oldest first, counted, within the tenant only', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 10, 0, s));
    await notes.insert({ _id: 'n2', tenantId: 'acme', conversationId: 'c1', author: ana, text: 'second', at: at(2) });
    await notes.insert({ _id: 'n1', tenantId: 'acme', conversationId: 'c1', author: ana, text: 'first', at: at(1) });
    await notes.insert({ _id: 'n3', tenantId: 'globex', conversationId: 'c1', author: ana, text: 'other tenant', at: at(3) });
    expect((await notes.of('acme', 'c1', 10)).map((n) => n.text)).toEqual(['first', 'second']);
    expect(await notes.count('acme', 'c1')).toBe(2);
  });

  it('keeps one canned response per shortcut and language when two supervisors save at once; lists by language; deletes in the tenant only', async () => {
    const doc = (text: string) => ({ _id: 'acme:thanks:es', tenantId: 'acme', shortcut: 'thanks', language: 'es', text, by: 'Sue', updatedAt: new Date() });
    await Promise.all(['¡Gracias!', 'Muchas gracias.', 'Gracias por escribirnos.'].map((t) => canned.put(doc(t))));
    await canned.put({ ...doc('Thank you!'), _id: 'acme:thanks:en', language: 'en' });
    expect((await canned.list('acme', 'es')).map((c) => c._id)).toEqual(['acme:thanks:es']);
    expect((await canned.list('acme')).map((c) => c.language)).toEqual(['en', 'es']);
    expect(await canned.remove('globex', 'acme:thanks:es')).toBe(false);
    expect(await canned.remove('acme', 'acme:thanks:es')).toBe(true);
    expect((await canned.list('acme')).map((c) => c._id)).toEqual(['acme:thanks:en']);
  });
});
