import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CONNECTOR_SIGNATURE_HEADER, VERIFIED_CONTACTS_HEADER, formatVerifiedContacts, signConnectorRequest, type ConnectorContact } from '@omni/contracts';
import { createDemoConnector } from './demo-connector';

const ANA: ConnectorContact[] = [{ kind: 'phone', value: '+351912345678' }];
const ANA_MAIL: ConnectorContact[] = [{ kind: 'email', value: 'ana.silva@example.com' }];
const STRANGER: ConnectorContact[] = [{ kind: 'phone', value: '+14155550999' }, { kind: 'email', value: 'eve@example.net' }];
const as = (contacts: ConnectorContact[]) => ({ [VERIFIED_CONTACTS_HEADER]: formatVerifiedContacts(contacts) });

describe('demo connector', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createDemoConnector(() => new Date('2026-03-02T10:00:00Z'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it.each(['ORD-12345', '12345', 'ord%2012345'])('finds order %s by its digits for a contact on file, without the contacts', async (n) => {
    for (const contacts of [ANA, ANA_MAIL]) {
      const res = await fetch(`${base}/orders/${n}`, { headers: as(contacts) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ number: 'ORD-12345', status: 'shipped', carrier: 'DHL', eta: '2026-03-04', total: 259, currency: 'EUR' });
    }
  });

  it('refuses a lookup without a verified contact (403), and answers a stranger as if the order did not exist (404)', async () => {
    const anonymous = await fetch(`${base}/orders/ORD-12345`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.json()).toMatchObject({ error: 'verification_required' });
    expect((await fetch(`${base}/orders/ORD-12345`, { headers: { [VERIFIED_CONTACTS_HEADER]: 'name:Ana, phone:%E0%A4%A' } })).status).toBe(403);
    const stranger = await fetch(`${base}/orders/ORD-12345`, { headers: as(STRANGER) });
    const missing = await fetch(`${base}/orders/ORD-1`, { headers: as(STRANGER) });
    expect([stranger.status, missing.status]).toEqual([404, 404]);
    const error = async (r: Response) => ((await r.json()) as { error: string }).error;
    expect(await error(stranger)).toBe(await error(missing));
  });

  it('starts a refund only for the order’s owner', async () => {
    const refund = (headers: Record<string, string>, key: string) =>
      fetch(`${base}/refunds`, { method: 'POST', headers: { ...headers, 'idempotency-key': key }, body: JSON.stringify({ orderNumber: 'ORD-777001', amount: 49.9 }) });
    expect((await refund({}, 'r-anon')).status).toBe(403);
    expect(await (await refund(as(STRANGER), 'r-eve')).json()).toMatchObject({ error: 'not_owner' });
    expect((await refund(as(ANA), 'r-ana')).status).toBe(201);
    const refunds = (await (await fetch(`${base}/refunds`)).json()) as { body: { orderNumber: string }; verifiedContacts: ConnectorContact[] }[];
    expect(refunds.map((r) => [r.body.orderNumber, r.verifiedContacts])).toEqual([['ORD-777001', ANA]]);
  });

  it('answers a bad body with 400', async () => {
    expect((await fetch(`${base}/refunds`, { method: 'POST', headers: as(ANA), body: '{"orderNumber":1}' })).status).toBe(400);
    expect((await fetch(`${base}/tickets`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('creates once per Idempotency-Key and records who the gateway said the customer is', async () => {
    const post = () => fetch(`${base}/tickets`, { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: JSON.stringify({ subject: 'complaint' }) });
    const first = (await (await post()).json()) as { id: string };
    const again = (await (await post()).json()) as { id: string; status: string };
    expect(again).toEqual({ id: first.id, status: 'exists' });
    const tickets = (await (await fetch(`${base}/tickets`)).json()) as { verifiedContacts: unknown[] }[];
    expect(tickets).toEqual([expect.objectContaining({ verifiedContacts: [] })]);
  });
});

describe('demo connector with a signing secret shared with the router', () => {
  const SECRET = 'demo-connector-spec-secret-0123';
  const NOW = new Date('2026-03-02T10:00:00Z');
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createDemoConnector(() => NOW, SECRET);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const signed = (secret: string, path: string, contacts: string, at = NOW) =>
    signConnectorRequest(secret, { method: 'GET', path, contacts, idempotencyKey: '', body: '' }, Math.floor(at.getTime() / 1000));

  it('answers the router’s signed lookup, and refuses the same request unsigned, forged, re-pointed at other contacts or stale', async () => {
    const contacts = formatVerifiedContacts(ANA);
    const get = (signature?: string, who = contacts) =>
      fetch(`${base}/orders/ORD-12345`, { headers: { [VERIFIED_CONTACTS_HEADER]: who, ...(signature ? { [CONNECTOR_SIGNATURE_HEADER]: signature } : {}) } });
    expect((await get(signed(SECRET, '/orders/ORD-12345', contacts))).status).toBe(200);
    const unsigned = await get();
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ error: 'bad_signature', reason: 'signature missing or malformed' });
    expect((await get(signed('not-the-shared-secret-at-all', '/orders/ORD-12345', contacts))).status).toBe(401);
    // A valid signature does not carry over to other contacts (the claim the connector trusts).
    expect((await get(signed(SECRET, '/orders/ORD-12345', contacts), formatVerifiedContacts(STRANGER))).status).toBe(401);
    expect((await get(signed(SECRET, '/orders/ORD-12345', contacts, new Date(NOW.getTime() - 600_000)))).status).toBe(401);
    // Health checks stay open for the orchestrator.
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });
});
