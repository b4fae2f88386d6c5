import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createDemoConnector } from './demo-connector';

describe('demo connector', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createDemoConnector(() => new Date('2026-03-02T10:00:00Z'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it.each(['ORD-12345', '12345', 'ord%2012345'])('finds order %s by its digits', async (n) => {
    const res = await fetch(`${base}/orders/${n}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ number: 'ORD-12345', status: 'shipped', carrier: 'DHL', eta: '2026-03-04', total: 259, currency: 'EUR' });
  });

  it('answers 404 for an unknown order and a bad body with 400', async () => {
    expect((await fetch(`${base}/orders/ORD-1`)).status).toBe(404);
    expect((await fetch(`${base}/refunds`, { method: 'POST', body: '{"orderNumber":1}' })).status).toBe(400);
    expect((await fetch(`${base}/tickets`, { method: 'POST', body: 'not json' })).status).toBe(400);
  });

  it('creates once per Idempotency-Key', async () => {
    const post = () => fetch(`${base}/tickets`, { method: 'POST', headers: { 'idempotency-key': 'k1' }, body: JSON.stringify({ subject: 'complaint' }) });
    const first = (await (await post()).json()) as { id: string };
    const again = (await (await post()).json()) as { id: string; status: string };
    expect(again).toEqual({ id: first.id, status: 'exists' });
    expect(((await (await fetch(`${base}/tickets`)).json()) as unknown[]).length).toBe(1);
  });
});
