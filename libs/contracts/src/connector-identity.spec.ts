import { connectorSignatureRefusal, formatVerifiedContacts, parseVerifiedContacts, signConnectorRequest } from './connector-identity';

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

describe('the router’s signature on connector requests', () => {
  const secret = 'connector-shared-secret';
  const req = { method: 'POST', path: '/refunds?x=1', contacts: 'phone:%2B351912345678', idempotencyKey: 'idem-1', body: '{"orderNumber":"ORD-1","amount":5}' };
  const now = 1_800_000_000;

  it('verifies what it signed, within the tolerance', () => {
    const header = signConnectorRequest(secret, req, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(connectorSignatureRefusal(secret, header, req, now + 10)).toBeNull();
    expect(connectorSignatureRefusal(secret, header, { ...req, method: 'post' }, now)).toBeNull();
  });

  it('refuses a change of contacts, body, path, method or key, another secret, a stale or malformed signature', () => {
    const header = signConnectorRequest(secret, req, now);
    expect(connectorSignatureRefusal(secret, header, { ...req, contacts: 'phone:%2B15550000000' }, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, header, { ...req, body: '{"orderNumber":"ORD-1","amount":500}' }, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, header, { ...req, path: '/refunds' }, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, header, { ...req, method: 'GET' }, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, header, { ...req, idempotencyKey: 'idem-2' }, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal('another-secret', header, req, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, header, req, now + 301)).toBe('signature too old or from the future');
    expect(connectorSignatureRefusal(secret, undefined, req, now)).toBe('signature missing or malformed');
    expect(connectorSignatureRefusal(secret, 't=1,v1=zz', req, now)).toBe('signature missing or malformed');
  });

  it('during a rotation signs with the current and the previous secret; a connector on either accepts, one on neither refuses', () => {
    const header = signConnectorRequest(['new-secret', secret], req, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(connectorSignatureRefusal(secret, header, req, now)).toBeNull(); // the connector not yet switched
    expect(connectorSignatureRefusal('new-secret', header, req, now)).toBeNull(); // the connector switched
    expect(connectorSignatureRefusal(['new-secret', secret], signConnectorRequest(secret, req, now), req, now)).toBeNull(); // a connector rotating on its side
    expect(connectorSignatureRefusal('another-tenants-secret', header, req, now)).toBe('signature does not match');
    expect(connectorSignatureRefusal(secret, `${header},v1=${'0'.repeat(64)},v1=${'1'.repeat(64)}`, req, now)).toBe('signature missing or malformed');
    expect(() => signConnectorRequest([], req, now)).toThrow(/needs a secret/);
  });
});
