import { DEMO_SECRETS_KEK, newTestEnvelopes } from '@omni/secrets';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import { MessengerConfigSchema } from '../config';
import { MessengerAccounts } from './messenger-accounts';

const ENV_PAGE = '104567891234567';
const envConfig = MessengerConfigSchema.parse({
  SECRETS_KEK: DEMO_SECRETS_KEK, TENANT_ID: 'bootstrap',
  MESSENGER_VERIFY_TOKEN: 'unit-verify-token', MESSENGER_APP_SECRET: 'env-app-secret', MESSENGER_PAGE_ACCESS_TOKEN: 'env-page-token', MESSENGER_PAGE_ID: ENV_PAGE,
});

/** The Pages directory over an in-memory channel_accounts, credentials sealed as the router seals them. */
function setup() {
  const { envelopes } = newTestEnvelopes();
  const rows = new Map<string, ChannelAccountDoc>();
  const lookups: string[] = [];
  const directory = { byExternalId: async (_channel: string, id: string) => (lookups.push(id), rows.get(id) ?? null) };
  const connect = async (pageId: string, tenantId: string, secrets: Record<string, string>) => {
    const _id = `ca_${pageId}`;
    const sealed = await envelopes.seal(secrets, channelAccountAad(_id));
    rows.set(pageId, { _id, tenantId, channel: 'messenger', externalId: pageId, settings: {}, secrets: sealed, createdBy: 'test', createdAt: new Date(), updatedAt: new Date() });
  };
  return { pages: new MessengerAccounts(directory, envelopes, envConfig), connect, lookups };
}

describe('MessengerAccounts', () => {
  it('gives each connected Page its own stored token and app secret, and nothing to a Page nobody connected', async () => {
    const h = setup();
    await h.connect('201', 'acme', { pageAccessToken: 'acme-page-token', appSecret: 'acme-secret' });
    await h.connect('202', 'globex', { pageAccessToken: 'globex-page-token', appSecret: 'globex-secret' });
    await expect(h.pages.accessTokenFor('201')).resolves.toBe('acme-page-token');
    await expect(h.pages.accessTokenFor('202')).resolves.toBe('globex-page-token');
    await expect(h.pages.accessTokenFor('299')).resolves.toBeUndefined();
    const resolved = await h.pages.resolve(['201', '202', '299']);
    expect(Object.fromEntries(resolved)).toEqual({
      201: { tenantId: 'acme', accountId: '201', appSecret: 'acme-secret' },
      202: { tenantId: 'globex', accountId: '202', appSecret: 'globex-secret' },
    });
  });

  it('falls back to the env only for the bootstrap Page, and only while it is not stored', async () => {
    const h = setup();
    await expect(h.pages.accessTokenFor(ENV_PAGE)).resolves.toBe('env-page-token');
    const stored = setup();
    await stored.connect(ENV_PAGE, 'bootstrap', { pageAccessToken: 'stored-page-token', appSecret: 'stored-secret' });
    await expect(stored.pages.accessTokenFor(ENV_PAGE)).resolves.toBe('stored-page-token');
  });

  it('caches lookups briefly and bounds how many Pages one body may name', async () => {
    const h = setup();
    await h.pages.resolve(['201', '299']);
    await h.pages.accessTokenFor('201');
    await h.pages.accessTokenFor('299');
    // Junk a signed body may carry as a page id (Meta's are digits) is unknown without a store query.
    await expect(h.pages.resolve(['\u0000\ud800 junk', 'abc'])).resolves.toEqual(new Map());
    expect(h.lookups).toEqual(['201', '299']);
    await expect(h.pages.resolve(Array.from({ length: 51 }, (_, i) => String(1000 + i)))).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
