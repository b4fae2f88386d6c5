import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PersistenceModule } from './persistence.module';
import { CUSTOMER_REPOSITORY, CustomerRepository } from './ports';

const uri = (() => {
  const u = new URL(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test');
  u.pathname = `/customer-search-${Date.now().toString(36)}`;
  return u.toString();
})();

/** The merge screen's customer search on the real MongoDB-protocol server (FerretDB locally): regexes are escaped, tenants apart. */
describe('customer search on a real database', () => {
  let app: INestApplicationContext;
  let customers: CustomerRepository;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(PersistenceModule.forRoot(uri), { logger: false, abortOnError: false });
    customers = app.get(CUSTOMER_REPOSITORY);
    const seen = (min: number) => new Date(Date.UTC(2026, 11, 7, 10, min));
    ids.wa = await customers.upsert({ tenantId: 'acme', channel: 'whatsapp', accountId: 'pn-1', channelUserId: '16505550100', displayName: 'Sheena Nelson' }, seen(1));
    ids.mail = await customers.upsert({ tenantId: 'acme', channel: 'email', accountId: 'box', channelUserId: 'sheena.n@example.com' }, seen(2));
    ids.other = await customers.upsert({ tenantId: 'acme', channel: 'web', accountId: 'w', channelUserId: 'v-1', displayName: 'Sheenax (a.b)' }, seen(3));
    ids.globex = await customers.upsert({ tenantId: 'globex', channel: 'email', accountId: 'box', channelUserId: 'sheena.n@example.com', displayName: 'Sheena' }, seen(4));
  });

  afterAll(async () => {
    await app?.close();
  });

  const found = async (tenantId: string, q: string) => (await customers.search(tenantId, q, 10)).map((c) => c._id);

  it('finds by display name (any case, anywhere in it), identity prefix, phone as people write it, or id; most recently seen first', async () => {
    expect(await found('acme', 'sheena')).toEqual([ids.other, ids.mail, ids.wa]);
    expect(await found('acme', 'NELSON')).toEqual([ids.wa]);
    expect(await found('acme', 'Sheena.N@')).toEqual([ids.mail]);
    expect(await found('acme', '+1 650-555 0100')).toEqual([ids.wa]);
    expect(await found('acme', ids.mail)).toEqual([ids.mail]);
  });

  it('takes what is typed literally (no regex), and never another tenant’s customers', async () => {
    expect(await found('acme', '(a.b)')).toEqual([ids.other]);
    expect(await found('acme', 'a.b')).toEqual([ids.other]);
    expect(await found('acme', '.*')).toEqual([]);
    expect(await found('globex', 'sheena')).toEqual([ids.globex]);
    expect(await customers.search('acme', 'sheena', 1)).toHaveLength(1);
  });
});
