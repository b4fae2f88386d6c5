import type { ConversationDoc, MessageDoc, VerifiedContactDoc } from '@omni/persistence';
import type { CustomerIdentities } from '../customers/customer-identities';
import { CustomerVerification, provenContacts } from './customer-verification';

const at = new Date('2026-03-02T10:00:00Z');
const conv = (channel: string, channelUserId: string): ConversationDoc => ({
  _id: 'c1', tenantId: 't', region: 'local', channel, accountId: 'a', customerId: 'cu1', channelUserId, state: 'bot', version: 0, lastMessageAt: at, createdAt: at, updatedAt: at,
});
const contact = (tenantId: string, kind: 'email' | 'phone', value: string, customerId = 'cu1'): VerifiedContactDoc => ({ _id: `${tenantId}:${kind}:${value}`, tenantId, kind, value, customerId, source: 'agent:ana', at });

describe('provenContacts', () => {
  it('adds what the channel proves by itself to the profile’s contacts, once each', () => {
    expect(provenContacts(conv('whatsapp', '351912345678'), false, [{ kind: 'phone', value: '+351912345678' }, { kind: 'email', value: 'ana@example.com' }])).toEqual([
      { kind: 'phone', value: '+351912345678' }, { kind: 'email', value: 'ana@example.com' },
    ]);
    expect(provenContacts(conv('web', 'session-1'), false, [])).toEqual([]);
    expect(provenContacts(conv('email', 'ana@example.com'), true, [])).toEqual([{ kind: 'email', value: 'ana@example.com' }]);
  });

  it('gives an email that did not pass DMARC itself nothing, even when its address was verified before', () => {
    expect(provenContacts(conv('email', 'ana@example.com'), false, [{ kind: 'email', value: 'ana@example.com' }, { kind: 'phone', value: '+351912345678' }])).toEqual([]);
  });
});

describe('CustomerVerification', () => {
  function setup(message: Partial<MessageDoc> | null) {
    const identities = { profile: async () => ({ profileId: 'cu0', identityIds: ['cu0', 'cu1'], links: [] }) } as unknown as CustomerIdentities;
    const asked: string[][] = [];
    const contacts = {
      claim: async () => { throw new Error('unused'); },
      ofCustomers: async (ids: readonly string[]) => (asked.push([...ids]), [contact('t', 'phone', '+351912345678', 'cu0'), contact('other', 'email', 'x@example.com', 'cu0')]),
    };
    const messages = { get: async () => message } as never;
    return { v: new CustomerVerification(identities, contacts, messages), asked };
  }

  it('reads the contacts of every identity of the profile, of this tenant only', async () => {
    const { v, asked } = setup(null);
    expect(await v.contactsFor(conv('web', 'session-1'), 'm1')).toEqual([{ kind: 'phone', value: '+351912345678' }]);
    expect(asked).toEqual([['cu0', 'cu1']]);
  });

  it.each([[{ senderVerified: true }, 2], [{}, 0], [null, 0]] as const)('an email message %j proves %i contacts', async (message, n) => {
    const { v } = setup(message);
    expect(await v.contactsFor(conv('email', 'ana@example.com'), 'm1')).toHaveLength(n);
  });
});
