import { conversationId } from '@omni/contracts';
import { InMemoryWebSessions, aWebConfig } from '../testing';
import { SessionTokens, hashToken } from './session-token';
import { VisitorSessions } from './visitor-sessions';

describe('web visitor sessions (issue 15 #3)', () => {
  const config = aWebConfig({ WEB_ACCOUNT_ID: 'shop', TENANT_ID: 't1' });
  let store: InMemoryWebSessions;
  let visitors: VisitorSessions;

  beforeEach(() => {
    store = new InMemoryWebSessions();
    visitors = new VisitorSessions(config, store);
  });
  afterEach(() => visitors.onModuleDestroy());

  it('issues a server-chosen session with a token, storing only the token hash', async () => {
    const first = await visitors.open(undefined);
    expect(first.sessionId).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(first.token).toMatch(new RegExp(`^${first.sessionId}\\.[A-Za-z0-9_-]{43}$`));
    const [doc] = [...store.docs.values()];
    expect(doc).toEqual({
      _id: hashToken(first.token!),
      sessionId: first.sessionId,
      conversationId: conversationId('t1', 'web', 'shop', first.sessionId),
      createdAt: expect.any(Date),
    });
    expect(JSON.stringify([...store.docs.values()])).not.toContain(first.token);
  });

  it('resumes the session of a token it issued, without a new token', async () => {
    const first = await visitors.open(undefined);
    expect(await visitors.open(first.token)).toEqual({ sessionId: first.sessionId });
    expect(store.docs.size).toBe(1);
  });

  it.each([
    ['a session id alone', (s: { sessionId: string; token: string }) => s.sessionId],
    ['a tampered mac', (s: { sessionId: string; token: string }) => `${s.token.slice(0, -1)}${s.token.endsWith('A') ? 'B' : 'A'}`],
    ['another id with the same mac', (s: { sessionId: string; token: string }) => `${'x'.repeat(24)}.${s.token.split('.')[1]}`],
    ['garbage', () => 'not a token'],
  ])('never resumes from %s: a new session instead', async (_name, forge) => {
    const victim = await visitors.open(undefined);
    const attacker = await visitors.open(forge({ sessionId: victim.sessionId, token: victim.token! }));
    expect(attacker.sessionId).not.toBe(victim.sessionId);
    expect(attacker.token).toEqual(expect.any(String));
  });

  it('never resumes from a token signed with another secret', async () => {
    const other = new SessionTokens('another-secret-of-at-least-32-characters', 'shop').issue();
    await store.save({ _id: other.tokenHash, sessionId: other.sessionId, conversationId: 'c', createdAt: new Date() });
    expect((await visitors.open(other.token)).sessionId).not.toBe(other.sessionId);
  });

  it('never resumes a correctly signed token that is not on record (revoked or never issued here)', async () => {
    const signed = new SessionTokens(config.WEB_SESSION_SECRET, 'shop').issue();
    expect((await visitors.open(signed.token)).sessionId).not.toBe(signed.sessionId);
  });

  it('refuses a secret shorter than 32 characters', () => {
    expect(() => new SessionTokens('short', 'shop')).toThrow(/at least 32 characters/);
  });
});
