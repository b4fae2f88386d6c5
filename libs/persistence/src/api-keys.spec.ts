import { ApiKeys, hashApiKey } from './api-keys';
import type { ApiKeyRepository } from './routing.ports';
import type { ApiKeyDoc } from './routing.schemas';

/** ApiKeys over an in-memory key table that counts its reads. */
function newTestApiKeys() {
  const table = new Map<string, ApiKeyDoc>();
  let reads = 0;
  const repo = {
    find: async (hash: string) => { reads++; return table.get(hash) ?? null; },
  } as unknown as ApiKeyRepository;
  const add = (key: string, tenantId = 't1') => table.set(hashApiKey(key), { _id: hashApiKey(key), tenantId, name: key, role: 'admin', createdAt: new Date() });
  return { keys: new ApiKeys(repo), table, add, reads: () => reads };
}

describe('ApiKeys', () => {
  afterEach(() => jest.useRealTimers());

  it('stops a revoked key within the cache time even while it keeps being used', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const t = newTestApiKeys();
    t.add('live-key-0123456789');
    await expect(t.keys.resolve('Bearer live-key-0123456789')).resolves.toMatchObject({ tenantId: 't1', role: 'admin' });
    t.table.clear(); // revoked
    for (let s = 0; s < 29; s++) {
      jest.advanceTimersByTime(1_000);
      await t.keys.resolve('Bearer live-key-0123456789'); // still cached, used every second
    }
    jest.advanceTimersByTime(1_500);
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
});
