import { contactsProvenBy, linkDirection, normalizeContact } from './contacts';

describe('contacts', () => {
  const verified = { senderVerified: true, senderAuth: 'dmarc=pass' };
  it.each([
    ['whatsapp', '5511987654321', undefined, [{ kind: 'phone', value: '+5511987654321' }]],
    ['email', ' Ana.Silva@Example.COM ', verified, [{ kind: 'email', value: 'ana.silva@example.com' }]],
    ['web', 'ana@example.com', verified, []],
    ['telegram', '123456789', undefined, []],
    ['messenger', '5511987654321', undefined, []],
    ['email', 'not-an-address', verified, []],
  ])('%s user %j (meta %j) proves %j', (channel, id, meta, expected) => {
    expect(contactsProvenBy(channel, id, meta)).toEqual(expected);
  });

  it.each([
    ['no verdict (an older channel, IMAP without mailauth)', undefined],
    ['a DMARC failure', { senderVerified: false, senderAuth: 'dmarc=fail' }],
    ['no DMARC record', { senderVerified: false, senderAuth: 'dmarc=none' }],
    ['a truthy string instead of true', { senderVerified: 'true' }],
  ])('an email From proves nothing with %s (issue 15 #2)', (_name, meta) => {
    expect(contactsProvenBy('email', 'ana.silva@example.com', meta)).toEqual([]);
  });

  it.each([
    ['phone', '+55 (11) 98765-4321', '+5511987654321'],
    ['phone', '0049 171 2345678', '+491712345678'],
    ['phone', '12', null],
    ['phone', '+0123456789', null],
    ['email', 'a@b', null],
  ] as const)('normalizes %s %j to %j', (kind, raw, expected) => {
    expect(normalizeContact(kind, raw)).toBe(expected);
  });

  it('always links the larger root under the smaller, whatever the argument order', () => {
    expect(linkDirection('b', 'a')).toEqual({ child: 'b', parent: 'a' });
    expect(linkDirection('a', 'b')).toEqual({ child: 'b', parent: 'a' });
  });
});
