import { ConversationDataKeys, dataKeyAad, openWithDataKey, sealWithDataKey } from './data-keys';
import { newMemoryDataKeyStore, newTestEnvelopes } from './testing';

function setup(cacheMs = 60_000) {
  const { kms } = newTestEnvelopes();
  const store = newMemoryDataKeyStore();
  return { kms, store, keys: new ConversationDataKeys(kms, store, { cacheMs }) };
}

describe('conversation data keys (crypto-shredding, ADR 0501)', () => {
  it('creates one key per conversation, stores it only wrapped, and finds it again by id', async () => {
    const { keys, store } = setup();
    const a = await keys.current('t1', 'conv-a');
    expect(a.key).toHaveLength(32);
    expect(await keys.current('t1', 'conv-a')).toEqual(a);
    expect((await keys.current('t1', 'conv-b')).keyId).not.toBe(a.keyId);
    const stored = JSON.stringify([...store.rows.values()]);
    for (const form of [a.key.toString('base64'), a.key.toString('hex')]) expect(stored).not.toContain(form);
    expect(await setup().keys.byId(a.keyId, 'conv-a')).toBeNull(); // another store: no such key
    expect(await keys.byId(a.keyId, 'conv-a')).toEqual(a.key);
    expect(await keys.byId(a.keyId, 'conv-b')).toBeNull(); // named by another conversation's event: not its key
  });

  it('answers null once the key is destroyed (uncached), and a new key for a later event of the same conversation', async () => {
    const { keys, store } = setup(0);
    const a = await keys.current('t1', 'conv-a');
    expect(store.destroy('conv-a')).toBe(1);
    expect(await keys.byId(a.keyId, 'conv-a')).toBeNull();
    const b = await keys.current('t1', 'conv-a');
    expect(b.keyId).not.toBe(a.keyId);
    expect(b.key.equals(a.key)).toBe(false);
  });

  it('refuses a destroyed key at once on a replica that opened it a moment ago (its 60 s cache does not outlive the erasure)', async () => {
    const { kms, store } = setup();
    const producer = new ConversationDataKeys(kms, store, { cacheMs: 60_000 });
    const replica = new ConversationDataKeys(kms, store, { cacheMs: 60_000 });
    const a = await producer.current('t1', 'conv-a');
    expect(await replica.byId(a.keyId, 'conv-a')).toEqual(a.key);
    expect(await producer.byId(a.keyId, 'conv-a')).toEqual(a.key);
    // The erasure (on any replica) deletes the key's row; neither replica's cache opens anything after.
    expect(store.destroy('conv-a')).toBe(1);
    expect(await replica.byId(a.keyId, 'conv-a')).toBeNull();
    expect(await producer.byId(a.keyId, 'conv-a')).toBeNull();
  });

  it('an event naming another conversation’s key does not make that key look destroyed for its own events', async () => {
    const { keys } = setup();
    const a = await keys.current('t1', 'conv-a');
    expect(await keys.byId(a.keyId, 'conv-b')).toBeNull();
    expect(await keys.byId(a.keyId, 'conv-a')).toEqual(a.key);
  });

  it('reads the key another producer created between its read and its insert', async () => {
    const { kms, store } = setup();
    const one = new ConversationDataKeys(kms, store);
    const two = new ConversationDataKeys(kms, store);
    const [x, y] = await Promise.all([one.current('t1', 'conv-a'), two.current('t1', 'conv-a')]);
    expect(x.keyId).toBe(y.keyId);
    expect(x.key.equals(y.key)).toBe(true);
    expect(store.rows.size).toBe(1);
  });

  it('refuses a key of another tenant and a wrapped key moved to another conversation', async () => {
    const { keys, store, kms } = setup(0);
    await keys.current('t1', 'conv-a');
    await expect(keys.current('t2', 'conv-a')).rejects.toThrow(/another tenant/);
    const [row] = store.rows.values();
    await expect(kms.unwrap(row.key, dataKeyAad(row._id, 'conv-b'))).rejects.toThrow(/cannot decrypt/);
  });

  it('seals bound to its AAD', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = sealWithDataKey(key, Buffer.from('hola Ana'), 'event-1');
    expect(sealed.toString('utf8')).not.toContain('hola');
    expect(openWithDataKey(key, sealed, 'event-1').toString()).toBe('hola Ana');
    expect(() => openWithDataKey(key, sealed, 'event-2')).toThrow(/cannot decrypt/);
  });
});
