import { accountAad } from './account-secrets';
import { newTenancyHarness } from './testing';

const ENV = {
  WHATSAPP_PHONE_NUMBER_ID: '100000000000001', WHATSAPP_ACCESS_TOKEN: 'env-access-token', WHATSAPP_APP_SECRET: 'env-app-secret',
  MESSENGER_PAGE_ID: '100000000000002', MESSENGER_PAGE_ACCESS_TOKEN: 'env-page-token', MESSENGER_APP_SECRET: 'env-app-secret',
  TELEGRAM_BOT_TOKEN: '1000000001:env-bot-token', EMAIL_ADDRESS: 'Support@Shop.Example',
};

describe('bootstrap tenant from the env', () => {
  it('creates the tenant and its env accounts once, however often it runs', async () => {
    const h = newTenancyHarness();
    for (let i = 0; i < 3; i++) await h.bootstrap(ENV).onApplicationBootstrap();
    expect(await h.tenants.get('default')).toMatchObject({ _id: 'default', homeRegion: 'local', languages: ['en'], timeZone: 'UTC' });
    const accounts = await h.accounts.list('default');
    expect(accounts.map((a) => `${a.channel}:${a.externalId}`).sort()).toEqual(['email:support@shop.example', 'messenger:100000000000002', 'telegram:1000000001', 'whatsapp:100000000000001']);
    const wa = accounts.find((a) => a.channel === 'whatsapp')!;
    expect(JSON.stringify(wa)).not.toContain('env-access-token');
    await expect(h.envelopes.open(wa.secrets!, accountAad(wa._id))).resolves.toEqual({ accessToken: 'env-access-token', appSecret: 'env-app-secret' });
  });

  it('leaves out an account whose env names are not all set', async () => {
    const h = newTenancyHarness();
    await h.bootstrap({ WHATSAPP_PHONE_NUMBER_ID: '100000000000001', WHATSAPP_ACCESS_TOKEN: 'env-access-token' }).onApplicationBootstrap();
    expect(await h.accounts.list('default')).toEqual([]);
  });

  it('stores credentials rotated in the env, but never takes an account another tenant connected', async () => {
    const h = newTenancyHarness();
    await h.bootstrap(ENV).onApplicationBootstrap();
    await h.bootstrap({ ...ENV, WHATSAPP_APP_SECRET: 'rotated-app-secret' }).onApplicationBootstrap();
    const wa = (await h.accounts.byExternalId('whatsapp', '100000000000001'))!;
    await expect(h.envelopes.open(wa.secrets!, accountAad(wa._id))).resolves.toEqual({ accessToken: 'env-access-token', appSecret: 'rotated-app-secret' });

    const other = newTenancyHarness();
    await other.accounts.insert({ _id: 'ca_theirs', tenantId: 't2', channel: 'whatsapp', externalId: '100000000000001', settings: {}, createdBy: 'api:t2 admin' });
    await other.bootstrap(ENV).onApplicationBootstrap();
    expect(await other.accounts.byExternalId('whatsapp', '100000000000001')).toMatchObject({ _id: 'ca_theirs', tenantId: 't2' });
    expect((await other.accounts.list('default')).map((a) => a.channel).sort()).toEqual(['email', 'messenger', 'telegram']);
  });
});
