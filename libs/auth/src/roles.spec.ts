import { actingAgent, authorize, can, mayActOnAgent } from './caller';
import { PERMISSIONS, ROLES, rolesWith } from './roles';
import { callerOf } from './testing';
import { hashApiKey, issueApiKey, sameHash } from './api-key-secret';

describe('roles matrix', () => {
  // The expected rights written out by hand (not derived from the matrix under test).
  const expected: Record<string, string[]> = {
    'tenants.manage': [],
    'api-keys.manage': ['admin'],
    'people.manage': ['admin'],
    'sessions.own': ['admin', 'supervisor', 'agent', 'service'],
    'channel-accounts.manage': ['admin'],
    'agents.write': ['admin'],
    'skill-groups.write': ['admin'],
    'experiments.write': ['admin'],
    'personal-data.manage': ['admin'],
    'nlu.write': ['admin'],
    'settings.manage': ['admin'],
    'experiments.read': ['admin', 'supervisor'],
    'customers.link': ['admin', 'supervisor'],
    'customers.tier': ['admin', 'supervisor'],
    'conversations.correct-intent': ['admin', 'supervisor'],
    'canned-responses.write': ['admin', 'supervisor'],
    'conversations.notes': ['admin', 'supervisor', 'agent'],
    'conversations.presence': ['admin', 'supervisor', 'agent'],
    'canned-responses.read': ['admin', 'supervisor', 'agent'],
    'nlu.read': ['admin', 'supervisor'],
    'reports.read': ['admin', 'supervisor', 'service'],
    'conversations.assign': ['admin', 'supervisor', 'agent'],
    'conversations.transfer': ['admin', 'supervisor', 'agent'],
    'agents.presence': ['admin', 'supervisor', 'agent'],
    'conversations.read': ['admin', 'supervisor', 'agent', 'service'],
    'conversations.reply': ['admin', 'supervisor', 'agent', 'service'],
    'conversations.resolve': ['admin', 'supervisor', 'agent', 'service'],
    'agents.read': ['admin', 'supervisor', 'agent', 'service'],
    'skill-groups.read': ['admin', 'supervisor', 'agent', 'service'],
    'customers.read': ['admin', 'supervisor', 'agent', 'service'],
    'media.read': ['admin', 'supervisor', 'agent', 'service'],
    'media.upload': ['admin', 'supervisor', 'agent', 'service'],
    'events.read': ['admin', 'supervisor', 'agent', 'service'],
  };

  it('covers every permission', () => {
    expect(Object.keys(expected).sort()).toEqual([...PERMISSIONS].sort());
  });

  it.each(PERMISSIONS.map((p) => [p]))('%s is granted to exactly its roles', (p) => {
    expect(rolesWith(p).sort()).toEqual([...expected[p]].sort());
    for (const r of ROLES) expect(can(callerOf(r), p)).toBe(expected[p].includes(r));
  });

  it('gives the operator every permission on every tenant', () => {
    const op = callerOf('admin', { operator: true, tenantId: 'default' });
    for (const p of PERMISSIONS) expect(() => authorize(op, p, 'any-tenant')).not.toThrow();
  });

  it('refuses another tenant in the path, even to an admin', () => {
    expect(() => authorize(callerOf('admin', { tenantId: 'a' }), 'api-keys.manage', 'b')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => authorize(callerOf('admin', { tenantId: 'a' }), 'api-keys.manage', 'a')).not.toThrow();
    expect(() => authorize(callerOf('agent', { tenantId: 'a' }), 'api-keys.manage', 'a')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });
});

describe('acting agent', () => {
  it('comes from the credential; a body naming another agent is refused', () => {
    const ana = callerOf('agent', { agentId: 'ana' });
    expect(actingAgent(ana, undefined)).toBe('ana');
    expect(actingAgent(ana, 'ana')).toBe('ana');
    expect(() => actingAgent(ana, 'bob')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('an agent or service key without an agent acts as nobody', () => {
    expect(() => actingAgent(callerOf('agent'), 'ana')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => actingAgent(callerOf('service'), 'ana')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('an admin or supervisor key without an agent writes on behalf of the named one, and must name it', () => {
    expect(actingAgent(callerOf('supervisor'), 'ana')).toBe('ana');
    expect(() => actingAgent(callerOf('admin'), undefined)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it('an agent changes only its own agent record', () => {
    expect(() => mayActOnAgent(callerOf('agent', { agentId: 'ana' }), 'ana')).not.toThrow();
    expect(() => mayActOnAgent(callerOf('agent', { agentId: 'ana' }), 'bob')).toThrow(expect.objectContaining({ code: 'forbidden' }));
    expect(() => mayActOnAgent(callerOf('supervisor'), 'bob')).not.toThrow();
  });
});

describe('issued API keys', () => {
  it('are random, prefixed, and known by their hash only', () => {
    const a = issueApiKey();
    const b = issueApiKey();
    expect(a.key).toMatch(/^omk_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.id).not.toBe(b.id);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.slice(4));
    expect(sameHash(a.hash, hashApiKey(a.key))).toBe(true);
    expect(sameHash(a.hash, b.hash)).toBe(false);
  });
});
