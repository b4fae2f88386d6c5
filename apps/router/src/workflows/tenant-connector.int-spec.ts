import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Connection, createConnection } from 'mongoose';
import type { ConnectorContact } from '@omni/contracts';
import { PersistenceModule, TENANT_CONNECTOR_REPOSITORY, TENANT_DIRECTORY, type ConversationDoc, type TenantConnectorRepository, type TenantDirectory } from '@omni/persistence';
import { Envelopes, newTestEnvelopes } from '@omni/secrets';
import { createDemoConnector } from '../../../demo-connector/src/demo-connector';
import { ROUTER_CONFIG } from '../config';
import { mongoUri, uniqueName } from '../../../../test/support/env';
import { ConnectorClient } from './connector.client';
import { ConnectorUrlGuard } from './connector-url-guard';
import { RunWorkflowUseCase } from './run-workflow.use-case';
import { SetTenantConnectorUseCase, TenantConnectors } from './tenant-connector';
import { workflowConfig } from './workflow-config';

const name = uniqueName('tenant-connector');
const SECRET_A = `acme-connector-${'a1'.repeat(16)}`;
const SECRET_A2 = `acme-connector-${'a2'.repeat(16)}`;
const SECRET_B = `globex-connector-${'b1'.repeat(16)}`;
const ANA: ConnectorContact[] = [{ kind: 'phone', value: '+351912345678' }];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * ADR 0226 "a secret per tenant" on the real store: each tenant's connector URL and signing secret go
 * through the use case into FerretDB (sealed), are read back by the router's resolver, and the demo
 * connector of tenant A — which knows only A's secret — answers A's requests and refuses (401) the
 * same request signed with B's secret.
 */
describe('per-tenant connector signing secrets (FerretDB + the demo connector)', () => {
  let app: INestApplicationContext;
  let db: Connection;
  let set: SetTenantConnectorUseCase;
  let resolver: TenantConnectors;
  let runner: RunWorkflowUseCase;
  let store: TenantConnectorRepository;
  const servers: Server[] = [];
  let connectorA = '';
  let connectorAOnNewSecret = '';

  beforeAll(async () => {
    @Module({
      imports: [PersistenceModule.forRoot(mongoUri(name))],
      providers: [
        { provide: ROUTER_CONFIG, useValue: { CONNECTOR_TIMEOUT_MS: 2_000 } },
        { provide: Envelopes, useValue: newTestEnvelopes().envelopes },
        // The demo connectors run on loopback: allowed as the test profile allows them (CONNECTOR_ALLOW_HOSTS).
        { provide: ConnectorUrlGuard, useValue: new ConnectorUrlGuard(['127.0.0.1']) },
        SetTenantConnectorUseCase, TenantConnectors, ConnectorClient, RunWorkflowUseCase,
      ],
    })
    class ConnectorIt {}
    app = await NestFactory.createApplicationContext(ConnectorIt, { logger: false, abortOnError: false });
    set = app.get(SetTenantConnectorUseCase);
    resolver = app.get(TenantConnectors);
    runner = app.get(RunWorkflowUseCase);
    store = app.get(TENANT_CONNECTOR_REPOSITORY);
    const tenants = app.get<TenantDirectory>(TENANT_DIRECTORY);
    await tenants.create({ _id: 'acme', name: 'Acme' });
    await tenants.create({ _id: 'globex', name: 'Globex' });
    db = await createConnection(mongoUri(name)).asPromise();
    // Acme's company runs a connector that knows only Acme's secret; later one switched to the new secret.
    servers.push(createDemoConnector(() => new Date(), SECRET_A), createDemoConnector(() => new Date(), SECRET_A2));
    connectorA = await listen(servers[0]);
    connectorAOnNewSecret = await listen(servers[1]);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  const lookup = async (tenantId: string, messageId: string) => {
    resolver.forget(tenantId);
    const connector = await resolver.of(tenantId);
    if (!connector) throw new Error(`no connector for ${tenantId}`);
    const at = new Date();
    const conversation: ConversationDoc = {
      _id: `c-${messageId}`, tenantId, region: 'local', channel: 'whatsapp', accountId: 'a', customerId: 'cu', channelUserId: '351912345678', state: 'bot', version: 0, lastMessageAt: at, createdAt: at, updatedAt: at,
    };
    return runner.execute({
      conversation, messageId, language: 'en', match: { workflow: 'lookup_order', intent: 'order_status', inputs: { orderNumber: 'ORD-12345' } }, config: workflowConfig({}),
      connector: { ...connector, baseUrl: `${connector.baseUrl}/` }, contacts: ANA,
    });
  };

  it("signs tenant A's requests with A's secret: A's connector answers them, and refuses the same request signed with B's (401)", async () => {
    await set.execute('acme', { baseUrl: connectorA, signingSecret: SECRET_A }, 'api:acme-admin');
    // Globex's admin points its connector at Acme's (a mistake, or an attempt): its requests carry Globex's signature.
    await set.execute('globex', { baseUrl: connectorA, signingSecret: SECRET_B }, 'api:globex-admin');

    const a = await lookup('acme', `m-${name}-a`);
    expect(a.outcome).toEqual({ kind: 'reply', text: expect.stringMatching(/^Order ORD-12345 is on its way/) });

    const b = await lookup('globex', `m-${name}-b`);
    expect(b.outcome).toMatchObject({ kind: 'handoff', code: 'workflow_failed', detail: expect.stringContaining('connector_rejected: connector answered 401') });

    // Stored sealed: no secret in the collection as FerretDB holds it.
    const raw = JSON.stringify(await db.collection('tenant_connectors').find({}).toArray());
    for (const s of [SECRET_A, SECRET_B]) expect(raw).not.toContain(s);
    expect(raw).toContain('"kekId"');
  });

  it('rotates without a refused request: the connector still on the old secret and the one on the new secret both accept during the overlap', async () => {
    await set.execute('acme', { baseUrl: connectorA, signingSecret: SECRET_A2, overlapHours: 1 }, 'api:acme-admin');
    expect((await lookup('acme', `m-${name}-old`)).outcome).toMatchObject({ kind: 'reply' }); // connector not yet switched
    await set.execute('acme', { baseUrl: connectorAOnNewSecret }, 'api:acme-admin');
    expect((await lookup('acme', `m-${name}-new`)).outcome).toMatchObject({ kind: 'reply' }); // connector switched
    // Overlap over (0 h): only the new secret is sent, and the connector on the old one refuses.
    await set.execute('acme', { baseUrl: connectorA, signingSecret: `acme-connector-${'a3'.repeat(16)}`, overlapHours: 0 }, 'api:acme-admin');
    expect((await lookup('acme', `m-${name}-gone`)).outcome).toMatchObject({ kind: 'handoff', detail: expect.stringContaining('401') });
  });

  it('writes conditionally on the real store: a change based on an envelope that moved on is refused', async () => {
    const before = await store.get('acme');
    if (!before) throw new Error('no connector');
    await set.execute('acme', { baseUrl: connectorA, signingSecret: SECRET_A, overlapHours: 0 }, 'api:one');
    expect(await store.replace({ ...before, updatedBy: 'api:two' }, before.secrets)).toBe(false);
    expect(await store.replace({ ...before, _id: 'acme', tenantId: 'acme' }, null)).toBe(false); // an insert over an existing one
    expect((await store.get('acme'))?.updatedBy).toBe('api:one');
  });
});
