import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONNECTOR_SIGNATURE_HEADER, VERIFIED_CONTACTS_HEADER, connectorSignatureRefusal } from '@omni/contracts';
import type { RouterConfig } from '../config';
import { ConnectorClient } from './connector.client';
import { ConnectorUrlGuard } from './connector-url-guard';
import { fakeDns } from './testing';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A connector that records what reached it and answers 200. */
async function recordingConnector(): Promise<{ server: Server; url: string; port: number; seen: Seen[]; connections: () => number }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { server, url: `http://127.0.0.1:${port}`, port, seen, connections: () => connections };
}

const config = () => ({ CONNECTOR_TIMEOUT_MS: 2_000 }) as RouterConfig;
/** The test connectors run on loopback: allowed as the test profile allows them (CONNECTOR_ALLOW_HOSTS). */
const LOOPBACK_ALLOWED = new ConnectorUrlGuard(['127.0.0.1']);

describe('ConnectorClient', () => {
  let connector: Awaited<ReturnType<typeof recordingConnector>>;
  beforeEach(async () => {
    connector = await recordingConnector();
  });
  afterEach(() => new Promise((r) => connector.server.close(r)));

  it('signs every request with the shared secret over what the connector trusts: contacts, body, path, key', async () => {
    const client = new ConnectorClient(config(), LOOPBACK_ALLOWED);
    await client.call({ baseUrl: connector.url, signingSecrets: ['router-connector-shared-secret'] }, {
      method: 'POST', path: '/refunds?from=bot', body: { orderNumber: 'ORD-1', amount: 5 }, idempotencyKey: 'idem-1', contacts: [{ kind: 'phone', value: '+351912345678' }],
    });
    client.onModuleDestroy();
    const [seen] = connector.seen;
    const asSent = {
      method: seen.method, path: seen.path, contacts: String(seen.headers[VERIFIED_CONTACTS_HEADER]), idempotencyKey: String(seen.headers['idempotency-key']), body: seen.body,
    };
    expect(connectorSignatureRefusal('router-connector-shared-secret', String(seen.headers[CONNECTOR_SIGNATURE_HEADER]), asSent)).toBeNull();
    expect(connectorSignatureRefusal('router-connector-shared-secret', String(seen.headers[CONNECTOR_SIGNATURE_HEADER]), { ...asSent, contacts: 'phone:%2B15550000000' })).toBe('signature does not match');
  });

  it('sends no signature when no secret is shared', async () => {
    const client = new ConnectorClient(config(), LOOPBACK_ALLOWED);
    await client.call({ baseUrl: connector.url, signingSecrets: [] }, { method: 'GET', path: '/orders/ORD-1', contacts: [] });
    client.onModuleDestroy();
    expect(connector.seen[0].headers[CONNECTOR_SIGNATURE_HEADER]).toBeUndefined();
  });

  it('during a rotation sends the previous secret’s signature beside the current one, each over the same request', async () => {
    const client = new ConnectorClient(config(), LOOPBACK_ALLOWED);
    await client.call({ baseUrl: connector.url, signingSecrets: ['tenant-new-secret-000000000000000000', 'tenant-old-secret-000000000000000000'] }, { method: 'GET', path: '/orders/ORD-1', contacts: [] });
    client.onModuleDestroy();
    const [seen] = connector.seen;
    const header = String(seen.headers[CONNECTOR_SIGNATURE_HEADER]);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const asSent = { method: 'GET', path: seen.path, contacts: '', idempotencyKey: '', body: '' };
    expect(connectorSignatureRefusal('tenant-old-secret-000000000000000000', header, asSent)).toBeNull();
    expect(connectorSignatureRefusal('tenant-new-secret-000000000000000000', header, asSent)).toBeNull();
    expect(connectorSignatureRefusal('another-tenants-secret-0000000000000', header, asSent)).toBe('signature does not match');
  });

  describe('the SSRF guard at call time (ADR 0220)', () => {
    it('refuses a loopback connector that is not allow-listed, without connecting and without retrying', async () => {
      const client = new ConnectorClient(config(), new ConnectorUrlGuard([]));
      for (const baseUrl of [connector.url, `https://127.0.0.1:${connector.port}`, `https://[::ffff:127.0.0.1]:${connector.port}`]) {
        const err = await client.call({ baseUrl, signingSecrets: [] }, { method: 'GET', path: '/orders/ORD-1', contacts: [] }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'connector_url_refused', retryable: false });
      }
      client.onModuleDestroy();
      expect(connector.connections()).toBe(0);
    });

    it('refuses a name re-pointed at loopback after it was saved (DNS rebinding): the address connected to is checked', async () => {
      const dns = fakeDns({ 'orders.rebind.example': ['93.184.216.34'] });
      const guard = new ConnectorUrlGuard([], dns);
      const baseUrl = `https://orders.rebind.example:${connector.port}`;
      await expect(guard.checkAtSave(baseUrl, 'baseUrl')).resolves.toBeUndefined();
      dns.set('orders.rebind.example', ['127.0.0.1']);
      const client = new ConnectorClient(config(), guard);
      const err = await client.call({ baseUrl, signingSecrets: [] }, { method: 'GET', path: '/orders/ORD-1', contacts: [] }).catch((e: unknown) => e);
      client.onModuleDestroy();
      expect(err).toMatchObject({ code: 'connector_url_refused', retryable: false });
      expect(dns.asked.filter((n) => n === 'orders.rebind.example').length).toBe(2);
      expect(connector.connections()).toBe(0);
    });

    it('connects to an allow-listed name whatever it resolves to', async () => {
      const client = new ConnectorClient(config(), new ConnectorUrlGuard([`localhost:${connector.port}`]));
      const res = await client.call({ baseUrl: `http://localhost:${connector.port}`, signingSecrets: [] }, { method: 'GET', path: '/orders/ORD-1', contacts: [] });
      client.onModuleDestroy();
      expect(res).toEqual({ status: 200, body: { ok: true } });
    });
  });
});
