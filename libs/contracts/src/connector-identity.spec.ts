import { formatVerifiedContacts, parseVerifiedContacts } from './connector-identity';

describe('Omni-Verified-Contacts header', () => {
  it('round-trips contacts whose values hold separators', () => {
    const contacts = [{ kind: 'phone', value: '+351912345678' }, { kind: 'email', value: '"a,b:c"@example.com' }] as const;
    const header = formatVerifiedContacts(contacts);
    expect(header).toBe('phone:%2B351912345678, email:%22a%2Cb%3Ac%22%40example.com');
    expect(parseVerifiedContacts(header)).toEqual(contacts);
  });

  it('drops unknown kinds, empty values and bad escapes; no header is no contact', () => {
    expect(parseVerifiedContacts('name:Ana, phone:, email:%E0%A4%A, :x, phone:%2B1555')).toEqual([{ kind: 'phone', value: '+1555' }]);
    expect(parseVerifiedContacts(undefined)).toEqual([]);
    expect(parseVerifiedContacts(['phone:1', 'email:a%40b.c'])).toEqual([{ kind: 'phone', value: '1' }, { kind: 'email', value: 'a@b.c' }]);
  });
});
