import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from './persistence.module';
import { PERSON_REPOSITORY, PersonRepository, SESSION_REPOSITORY, SessionRepository } from './people.ports';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/people-${Date.now().toString(36)}`;
  return u.toString();
})();

/** People and sessions on the real MongoDB-protocol server: one email per tenant, one winner per refresh token (ADR 0610). */
describe('people and sessions on a real database', () => {
  let app: INestApplicationContext;
  let people: PersonRepository;
  let sessions: SessionRepository;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    people = app.get(PERSON_REPOSITORY);
    sessions = app.get(SESSION_REPOSITORY);
  });

  afterAll(async () => {
    await app?.close();
  });

  const person = (id: string, tenantId: string) => ({ _id: id, tenantId, email: 'ana@acme.test', name: 'Ana', role: 'agent' as const, agentId: 'ana', passwordHash: 'scrypt$x' });

  it('keeps one person per email and tenant, even when two admins add them at once', async () => {
    const outcomes = await Promise.all([people.insert(person('p1', 'acme')), people.insert(person('p2', 'acme')), people.insert(person('p3', 'globex'))]);
    expect(outcomes.slice(0, 2).sort()).toEqual(['created', 'taken']);
    expect(outcomes[2]).toBe('created');
    expect((await people.list('acme')).map((p) => p.email)).toEqual(['ana@acme.test']);
    expect(await people.byEmail('globex', 'ana@acme.test')).toMatchObject({ _id: 'p3' });
  });

  it('gives a refresh token’s session to exactly one of many concurrent refreshes, and none once it expired', async () => {
    const now = new Date();
    const base = { tenantId: 'acme', personId: 'p1', name: 'Ana', role: 'agent' as const, expiresAt: new Date(now.getTime() + 60_000) };
    await sessions.insert({ _id: 'access-1', refreshHash: 'refresh-1', ...base, refreshExpiresAt: new Date(now.getTime() + 60_000) });
    await sessions.insert({ _id: 'access-2', refreshHash: 'refresh-2', ...base, refreshExpiresAt: new Date(now.getTime() - 1) });
    const taken = await Promise.all(Array.from({ length: 8 }, () => sessions.takeForRefresh('refresh-1', new Date())));
    expect(taken.filter(Boolean).map((s) => s?._id)).toEqual(['access-1']);
    expect(await sessions.find('access-1')).toBeNull();
    expect(await sessions.takeForRefresh('refresh-2', new Date())).toBeNull();
    expect(await sessions.removeOfPerson('acme', 'p1')).toEqual(['access-2']);
  });
});
