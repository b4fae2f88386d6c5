import { DEMO_SECRETS_KEK, newTestEnvelopes } from '@omni/secrets';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import { WhatsAppConfigSchema } from '../config';
import { WhatsAppAccounts } from './whatsapp-accounts';

const ENV_NUMBER = '106540352242922';
const envConfig = WhatsAppConfigSchema.parse({
  SECRETS_KEK: DEMO_SECRETS_KEK, TENANT_ID: 'bootstrap',
  WHATSAPP_VERIFY_TOKEN: 'unit-verify-token', WHATSAPP_APP_SECRET: 'env-app-secret', WHATSAPP_ACCESS_TOKEN: 'env-access-token', WHATSAPP_PHONE_NUMBER_ID: ENV_NUMBER,
});

/** The accounts directory over an in-memory channel_accounts, credentials sealed as the router seals them. */
function setup() {
  const { envelopes } = newTestEnvelopes();
  const rows = new Map<string, ChannelAccountDoc>();
  const lookups: string[] = [];
  const directory = { byExternalId: async (_channel: string, id: string) => (lookups.push(id), rows.get(id) ?? null) };
  const connect = async (phoneNumberId: string, tenantId: string, secrets: Record<string, string>) => {
    const _id = `ca_${phoneNumberId}`;
    const sealed = await envelopes.seal(secrets, channelAccountAad(_id));
    rows.set(phoneNumberId, { _id, tenantId, channel: 'whatsapp', externalId: phoneNumberId, settings: {}, secrets: sealed, createdBy: 'test', createdAt: new Date(), updatedAt: new Date() });
  };
  return { accounts: new WhatsAppAccounts(directory, envelopes, envConfig), connect, lookups };
}

describe('WhatsAppAccounts', () => {
  it('gives each connected number its own stored access token, and none to a number nobody connected', async () => {
    const h = setup();
    await h.connect('710000000000001', 'acme', { accessToken: 'acme-token', appSecret: 'acme-secret' });
    await h.connect('720000000000001', 'globex', { accessToken: 'globex-token', appSecret: 'globex-secret' });
    await expect(h.accounts.accessTokenFor('710000000000001')).resolves.toBe('acme-token');
    await expect(h.accounts.accessTokenFor('720000000000001')).resolves.toBe('globex-token');
    await expect(h.accounts.accessTokenFor('799999999999999')).resolves.toBeUndefined();
  });

  it('falls back to the env only for the bootstrap number, and only while it is not stored', async () => {
    const h = setup();
    await expect(h.accounts.accessTokenFor(ENV_NUMBER)).resolves.toBe('env-access-token');
    const stored = setup();
    await stored.connect(ENV_NUMBER, 'bootstrap', { accessToken: 'stored-token', appSecret: 'stored-secret' });
    await expect(stored.accounts.accessTokenFor(ENV_NUMBER)).resolves.toBe('stored-token');
    await expect(stored.accounts.resolve([ENV_NUMBER])).resolves.toEqual(new Map([[ENV_NUMBER, { tenantId: 'bootstrap', accountId: ENV_NUMBER, appSecret: 'stored-secret' }]]));
  });

  it('caches a lookup briefly: the webhook and the sends of one number read the store once', async () => {
    const h = setup();
    await h.connect('710000000000001', 'acme', { accessToken: 'acme-token', appSecret: 'acme-secret' });
    await h.accounts.resolve(['710000000000001', '799999999999999']);
    await h.accounts.accessTokenFor('710000000000001');
    await h.accounts.accessTokenFor('799999999999999');
    await expect(h.accounts.resolve(['\u0000\ud800 junk'])).resolves.toEqual(new Map());
    expect(h.lookups).toEqual(['710000000000001', '799999999999999']);
  });

  it('reports the store failing as retryable', async () => {
    const { envelopes } = newTestEnvelopes();
    const failing = new WhatsAppAccounts({ byExternalId: async () => Promise.reject(new Error('connection reset')) }, envelopes, envConfig);
    await expect(failing.accessTokenFor('710000000000001')).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
  });
});
