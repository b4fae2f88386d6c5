import { contactsProvenBy, linkDirection, normalizeContact } from './contacts';

describe('contacts', () => {
  it.each([
    ['whatsapp', '5511987654321', [{ kind: 'phone', value: '+5511987654321' }]],
    ['email', ' Ana.Silva@Example.COM ', [{ kind: 'email', value: 'ana.silva@example.com' }]],
    ['web', 'ana@example.com', []],
    ['telegram', '123456789', []],
    ['messenger', '5511987654321', []],
    ['email', 'not-an-address', []],
  ])('%s user %j proves %j', (channel, id, expected) => {
    expect(contactsProvenBy(channel, id)).toEqual(expected);
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
