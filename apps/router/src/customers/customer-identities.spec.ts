import type { CustomerLinkDoc, CustomerLinkRepository, VerifiedContactDoc, VerifiedContactRepository } from '@omni/persistence';
import { CustomerIdentities } from './customer-identities';

/** Insert-on-unique-key semantics of the real collections, with an await between read and write to let races interleave. */
function fakes() {
  const links = new Map<string, CustomerLinkDoc>();
  const contacts = new Map<string, VerifiedContactDoc>();
  const reads = { links: 0 };
  const tick = () => new Promise((r) => setImmediate(r));
  const linkRepo: CustomerLinkRepository = {
    link: async (l) => { await tick(); if (links.has(l._id)) return false; links.set(l._id, l); return true; },
    get: async (id) => { reads.links += 1; await tick(); return links.get(id) ?? null; },
    linkedTo: async (tenantId, ids) => [...links.values()].filter((l) => l.tenantId === tenantId && ids.includes(l.profileId)),
  };
  const contactRepo: VerifiedContactRepository = {
    claim: async (c) => {
      const _id = `${c.tenantId}:${c.kind}:${c.value}`;
      await tick();
      const owner = contacts.get(_id) ?? { ...c, _id };
      contacts.set(_id, owner);
      return owner;
    },
    ofCustomers: async (ids) => [...contacts.values()].filter((c) => ids.includes(c.customerId)),
  };
  return { links, reads, identities: new CustomerIdentities(linkRepo, contactRepo) };
}

describe('CustomerIdentities', () => {
  it('links the WhatsApp and email identities that share nothing until an agent verifies the phone', async () => {
    const { identities } = fakes();
    await identities.identified('t', 'wa', 'whatsapp', '5511987654321');
    await identities.identified('t', 'web', 'web', 'browser-1');
    expect((await identities.profile('t', 'web')).identityIds).toEqual(['web']);
    expect(await identities.verified('t', 'web', { kind: 'phone', value: '+5511987654321' }, 'api:agent')).toBe('wa');
    expect(await identities.profile('t', 'wa')).toMatchObject({ profileId: 'wa', identityIds: ['wa', 'web'] });
  });

  it('a conversation’s own contacts cost no read of the links; an agent’s verification answers the profile', async () => {
    const { identities, reads } = fakes();
    await identities.identified('t', 'wa', 'whatsapp', '5511987654321');
    await identities.identified('t', 'wa', 'whatsapp', '5511987654321');
    expect(reads.links).toBe(0);
    await identities.merge('t', 'wa', 'email-1', 'api:x');
    expect(await identities.verified('t', 'wa', { kind: 'phone', value: '+5511987654321' }, 'api:agent')).toBe('email-1');
  });

  it('merges transitively and is idempotent', async () => {
    const { identities } = fakes();
    expect(await identities.merge('t', 'c', 'b', 'api:x')).toBe('b');
    expect(await identities.merge('t', 'a', 'c', 'api:x')).toBe('a');
    expect(await identities.merge('t', 'b', 'a', 'api:x')).toBe('a');
    expect((await identities.profile('t', 'c')).identityIds).toEqual(['a', 'b', 'c']);
  });

  it('racing merges in every direction end in one profile without a cycle', async () => {
    const { identities, links } = fakes();
    const ids = Array.from({ length: 12 }, (_, i) => `id${String(i).padStart(2, '0')}`);
    await Promise.all(ids.flatMap((a, i) => ids.slice(i + 1).map((b, j) => ((i + j) % 2 ? identities.merge('t', a, b, 'x') : identities.merge('t', b, a, 'x')))));
    expect((await identities.profile('t', 'id07')).identityIds).toEqual(ids);
    for (const l of links.values()) expect(l.profileId < l._id).toBe(true);
  });
});
