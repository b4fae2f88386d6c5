import { hashPassword, verifyPassword } from './password';
import { ACCESS_TTL_MS, REFRESH_TTL_MS, newPersonId } from './sessions';
import { newTestApiKeys } from './testing';

describe('passwords', () => {
  it('verifies the password it hashed and nothing else; each hash is salted', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{43}\$[\w-]{86}$/);
    expect(a).not.toBe(b);
    await expect(verifyPassword('correct horse battery', a)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterz', a)).resolves.toBe(false);
    await expect(verifyPassword('correct horse battery', 'sha256$abc')).resolves.toBe(false);
  });
});

// Each sign-in spends a real scrypt (32 MiB): slow on a loaded 2-core machine, never a timed assertion.
jest.setTimeout(120_000);

describe('Sessions', () => {
  afterEach(() => jest.useRealTimers());

  const withPeople = async () => {
    const t = newTestApiKeys();
    const passwordHash = await hashPassword('ana-password-1');
    await t.personRepo.insert({ _id: newPersonId(), tenantId: 't1', email: 'ana@acme.test', name: 'Ana', role: 'agent', agentId: 'ana', passwordHash });
    await t.personRepo.insert({ _id: newPersonId(), tenantId: 't1', email: 'sue@acme.test', name: 'Sue', role: 'supervisor', passwordHash });
    return t;
  };

  it('signs a person in and the access token acts as that person and agent', async () => {
    const t = await withPeople();
    const s = await t.sessions.signIn('t1', ' Ana@Acme.test ', 'ana-password-1');
    expect(s.accessToken).toMatch(/^oms_/);
    expect(s.person).toMatchObject({ tenantId: 't1', role: 'agent', agentId: 'ana', name: 'Ana' });
    await expect(t.keys.resolve(`Bearer ${s.accessToken}`)).resolves.toMatchObject({ tenantId: 't1', role: 'agent', agentId: 'ana', personId: s.person.id, operator: false });
    // Only hashes are stored.
    expect(JSON.stringify([...t.sessionTable.values()])).not.toContain(s.accessToken.slice(4));
    expect(JSON.stringify([...t.sessionTable.values()])).not.toContain(s.refreshToken.slice(4));
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const t = await withPeople();
    const wrong = await t.sessions.signIn('t1', 'ana@acme.test', 'nope-nope-nope').catch((e: unknown) => e);
    const unknown = await t.sessions.signIn('t1', 'who@acme.test', 'nope-nope-nope').catch((e: unknown) => e);
    const otherTenant = await t.sessions.signIn('t2', 'ana@acme.test', 'ana-password-1').catch((e: unknown) => e);
    for (const e of [wrong, unknown, otherTenant]) expect(e).toMatchObject({ code: 'unauthorized', message: 'wrong email or password' });
  });

  it('refuses an access token once it expired, and a refresh gives a new pair while the old stops', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    const t = await withPeople();
    const s = await t.sessions.signIn('t1', 'sue@acme.test', 'ana-password-1');
    await t.keys.resolve(`Bearer ${s.accessToken}`);
    jest.advanceTimersByTime(ACCESS_TTL_MS + 1);
    await expect(t.keys.resolve(`Bearer ${s.accessToken}`)).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringContaining('expired') });
    const next = await t.sessions.refresh(s.refreshToken);
    await expect(t.keys.resolve(`Bearer ${next.accessToken}`)).resolves.toMatchObject({ role: 'supervisor' });
    await expect(t.sessions.refresh(s.refreshToken)).rejects.toMatchObject({ code: 'unauthorized' });
    jest.advanceTimersByTime(REFRESH_TTL_MS + 1);
    await expect(t.sessions.refresh(next.refreshToken)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('gives one new session to two refreshes racing with one token', async () => {
    const t = await withPeople();
    const s = await t.sessions.signIn('t1', 'sue@acme.test', 'ana-password-1');
    const results = await Promise.allSettled([t.sessions.refresh(s.refreshToken), t.sessions.refresh(s.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(t.sessionTable.size).toBe(1);
  });

  it('stops a token at once on sign-out and when the person is removed', async () => {
    const t = await withPeople();
    const a = await t.sessions.signIn('t1', 'ana@acme.test', 'ana-password-1');
    const b = await t.sessions.signIn('t1', 'ana@acme.test', 'ana-password-1');
    await t.keys.resolve(`Bearer ${a.accessToken}`);
    await t.keys.resolve(`Bearer ${b.accessToken}`);
    await t.sessions.signOut(a.accessToken);
    await expect(t.keys.resolve(`Bearer ${a.accessToken}`)).rejects.toMatchObject({ code: 'unauthorized' });
    await t.sessions.endAll('t1', b.person.id);
    await expect(t.keys.resolve(`Bearer ${b.accessToken}`)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
