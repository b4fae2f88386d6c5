import { newTestApiKeys } from './testing';

describe('ApiKeys', () => {
  afterEach(() => jest.useRealTimers());

  it('stops a revoked key within the cache time even while it keeps being used', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const t = newTestApiKeys();
    t.add('live-key-0123456789');
    await expect(t.keys.resolve('Bearer live-key-0123456789')).resolves.toMatchObject({ tenantId: 't1', role: 'admin', operator: false });
    t.table.clear(); // revoked on another replica
    for (let s = 0; s < 29; s++) {
      jest.advanceTimersByTime(1_000);
      await t.keys.resolve('Bearer live-key-0123456789'); // still cached, used every second
    }
    jest.advanceTimersByTime(1_500);
    await expect(t.keys.resolve('Bearer live-key-0123456789')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('stops a key revoked on this replica at once', async () => {
    const t = newTestApiKeys();
    t.add('live-key-0123456789', { keyId: 'k1' });
    await t.keys.resolve('Bearer live-key-0123456789');
    const hash = await t.repo.revoke('t1', 'k1');
    t.keys.forget(hash!);
    await expect(t.keys.resolve('Bearer live-key-0123456789')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('never caches unknown keys: each is looked up, none is kept', async () => {
    const t = newTestApiKeys();
    for (let i = 0; i < 50; i++) await expect(t.keys.resolve(`Bearer made-up-${i}`)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(t.reads()).toBe(50);
    t.add('made-up-7');
    await expect(t.keys.resolve('Bearer made-up-7')).resolves.toMatchObject({ tenantId: 't1' });
  });

  it('refuses a missing or malformed Authorization header without a lookup', async () => {
    const t = newTestApiKeys();
    for (const h of [undefined, '', 'Basic abc', 'Bearer']) await expect(t.keys.resolve(h)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(t.reads()).toBe(0);
  });

  it('knows the operator key without storing or looking it up', async () => {
    const t = newTestApiKeys('operator-key-0123456789');
    await expect(t.keys.resolve('Bearer operator-key-0123456789')).resolves.toEqual({
      tenantId: 'default', role: 'admin', operator: true, keyName: 'operator (API_KEY)',
    });
    expect(t.reads()).toBe(0);
    expect(t.table.size).toBe(0);
    await expect(t.keys.resolve('Bearer operator-key-012345678')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('has no operator when API_KEY is unset', async () => {
    const t = newTestApiKeys(null);
    await expect(t.keys.resolve('Bearer operator-key-0123456789')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('refuses an expired key, also while it is cached', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const t = newTestApiKeys();
    t.add('soon-gone-0123456789', { role: 'agent', agentId: 'ana', keyId: 'k9', expiresAt: new Date('2026-01-01T00:00:10Z') });
    await expect(t.keys.resolve('Bearer soon-gone-0123456789')).resolves.toEqual({
      tenantId: 't1', role: 'agent', operator: false, keyName: 'soon-gone-0123456789', keyId: 'k9', agentId: 'ana',
    });
    jest.advanceTimersByTime(10_000);
    await expect(t.keys.resolve('Bearer soon-gone-0123456789')).rejects.toMatchObject({ code: 'unauthorized', message: 'expired API key' });
  });
});
