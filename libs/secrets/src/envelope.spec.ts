import { DEMO_SECRETS_KEK, SecretsEnvShape } from './config';
import { z } from 'zod';
import { newKek, newTestEnvelopes } from './testing';

const SECRET = { accessToken: 'EAAG-very-secret-token-123', appSecret: 'app-secret-456' };

describe('envelope encryption', () => {
  it('round-trips a secret and stores nothing of it in clear', async () => {
    const { envelopes } = newTestEnvelopes();
    const env = await envelopes.seal(SECRET, 'channel-account:a1');
    const stored = JSON.stringify(env);
    for (const s of Object.values(SECRET)) expect(stored).not.toContain(s);
    expect(stored).not.toContain(Buffer.from(SECRET.accessToken).toString('base64'));
    await expect(envelopes.open(env, 'channel-account:a1')).resolves.toEqual(SECRET);
  });

  it('uses a new data key per record (same secret, different ciphertexts)', async () => {
    const { envelopes } = newTestEnvelopes();
    const a = await envelopes.seal(SECRET, 'r');
    const b = await envelopes.seal(SECRET, 'r');
    expect(a.data).not.toBe(b.data);
    expect(a.key.wrapped).not.toBe(b.key.wrapped);
  });

  it('does not open under another record id, with another KEK, or when tampered', async () => {
    const kek = newKek('k1');
    const { envelopes } = newTestEnvelopes(kek);
    const env = await envelopes.seal(SECRET, 'channel-account:a1');
    await expect(envelopes.open(env, 'channel-account:a2')).rejects.toThrow(/cannot decrypt/);
    await expect(newTestEnvelopes(newKek('k1')).envelopes.open(env, 'channel-account:a1')).rejects.toThrow(/cannot decrypt/);
    const data = Buffer.from(env.data, 'base64');
    data[data.length - 1] ^= 1;
    await expect(envelopes.open({ ...env, data: data.toString('base64') }, 'channel-account:a1')).rejects.toThrow(/cannot decrypt/);
  });

  it('rotates the KEK without downtime: old envelopes open while the old KEK is kept, rewrap moves them, then the old KEK can go', async () => {
    const k1 = newKek('k1');
    const k2 = newKek('k2');
    const before = newTestEnvelopes(k1).envelopes;
    const env = await before.seal(SECRET, 'r1');

    const during = newTestEnvelopes(k2, [k1]).envelopes;
    await expect(during.open(env, 'r1')).resolves.toEqual(SECRET); // still readable mid-rotation
    expect(during.isCurrent(env)).toBe(false);
    const moved = (await during.rewrap(env, 'r1'))!;
    expect(moved.key.kekId).toBe('k2');
    expect(moved.data).toBe(env.data); // the data is not re-encrypted, only its key rewrapped
    expect(await during.rewrap(moved, 'r1')).toBeNull();

    const after = newTestEnvelopes(k2).envelopes;
    await expect(after.open(moved, 'r1')).resolves.toEqual(SECRET);
    await expect(after.open(env, 'r1')).rejects.toThrow(/KEK k1 is not configured/);
  });

  it('validates the KEK env', () => {
    const schema = z.object(SecretsEnvShape);
    expect(schema.safeParse({ SECRETS_KEK: DEMO_SECRETS_KEK }).success).toBe(true);
    expect(schema.safeParse({ SECRETS_KEK: DEMO_SECRETS_KEK, SECRETS_KEK_PREVIOUS: `${newKek('a')}, ${newKek('b')}` }).data?.SECRETS_KEK_PREVIOUS).toHaveLength(2);
    for (const bad of ['', 'nokey', 'k1:c2hvcnQ=', ':' + Buffer.alloc(32).toString('base64')]) {
      expect(schema.safeParse({ SECRETS_KEK: bad }).success).toBe(false);
    }
    expect(schema.safeParse({ SECRETS_KEK: DEMO_SECRETS_KEK, SECRETS_KEK_PREVIOUS: 'junk' }).success).toBe(false);
    expect(() => newTestEnvelopes(newKek('same'), [newKek('same')])).toThrow(/given twice/);
  });
});
