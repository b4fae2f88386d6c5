import { ConnectAccountBody, ConnectAccountInput } from './channel-account-input';
import { accountAad } from './account-secrets';
import { newTenancyHarness } from './testing';
import { newKek } from '@omni/secrets';
import { RetryableError, parse } from '@omni/contracts';

const WA = { channel: 'whatsapp', phoneNumberId: '100000000000123', accessToken: 'EAAG-secret-access-token-0001', appSecret: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' };
const input = (b: unknown): ConnectAccountInput => parse(ConnectAccountBody, b, 'body');

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return ((err as { issues?: { path: string }[] }).issues ?? []).map((i) => i.path);
  }
  throw new Error('expected a validation error');
}

describe('channel account input', () => {
  it.each([
    [{ ...WA, channel: 'fax' }, 'channel'],
    [{ channel: 'whatsapp', phoneNumberId: '100000000000123', appSecret: WA.appSecret }, 'accessToken'],
    [{ ...WA, phoneNumberId: '+351 912' }, 'phoneNumberId'],
    [{ ...WA, appSecret: 'short' }, 'appSecret'],
    [{ channel: 'messenger', pageId: '1234567', appSecret: WA.appSecret }, 'pageAccessToken'],
    [{ channel: 'telegram', botToken: 'not-a-token' }, 'botToken'],
    [{ channel: 'email', address: 'nobody' }, 'address'],
    [{ channel: 'email', address: 'a@b.co', imap: { host: 'imap.b.co', port: 993, user: 'a' } }, 'imap.pass'],
    [{ channel: 'web', name: 'Shop', allowedOrigins: ['https://shop.example/path'] }, 'allowedOrigins.0'],
    [{ ...WA, extra: 1 }, ''],
  ])('names the offending field (%#)', (body, field) => {
    expect(issuesOf(() => input(body))).toContain(field);
  });
});

describe('connecting channel accounts', () => {
  it('stores the secrets sealed: nothing of them in the stored document, and they open under the account id', async () => {
    const h = newTenancyHarness();
    const { id } = await h.connect.execute({ tenantId: 't1', input: input({ ...WA, wabaId: '2000000000001' }), by: 'api:test' });
    const row = h.accounts.rows.get(id)!;
    expect(row).toMatchObject({ tenantId: 't1', channel: 'whatsapp', externalId: WA.phoneNumberId, settings: { wabaId: '2000000000001' } });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(WA.accessToken);
    expect(stored).not.toContain(WA.appSecret);
    await expect(h.envelopes.open(row.secrets!, accountAad(id))).resolves.toEqual({ accessToken: WA.accessToken, appSecret: WA.appSecret });
  });

  it('refuses an account connected already, to this or another tenant, with the field named and nothing stored', async () => {
    const h = newTenancyHarness();
    await h.connect.execute({ tenantId: 't1', input: input(WA), by: 'api:test' });
    for (const tenantId of ['t1', 't2']) {
      await expect(h.connect.execute({ tenantId, input: input({ ...WA, accessToken: 'EAAG-another-token-000000002' }), by: 'api:test' }))
        .rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('phoneNumberId') });
    }
    expect(h.accounts.rows.size).toBe(1);
  });

  it('refuses an unknown tenant', async () => {
    const h = newTenancyHarness();
    await expect(h.connect.execute({ tenantId: 'nope', input: input(WA), by: 'api:test' })).rejects.toMatchObject({ code: 'not_found' });
    expect(h.accounts.rows.size).toBe(0);
  });

  it('keys telegram by the bot id, generates the webhook secret, and keeps it across a token rotation', async () => {
    const h = newTenancyHarness();
    const { id } = await h.connect.execute({ tenantId: 't1', input: input({ channel: 'telegram', botToken: '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123' }), by: 'api:test' });
    const row = h.accounts.rows.get(id)!;
    expect(row.externalId).toBe('123456789');
    const first = await h.envelopes.open<Record<string, string>>(row.secrets!, accountAad(id));
    expect(first.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await h.rotate.execute('t1', id, { botToken: '123456789:AAH-rotatedrotatedrotatedrotated01' });
    const after = await h.envelopes.open<Record<string, string>>(h.accounts.rows.get(id)!.secrets!, accountAad(id));
    expect(after).toEqual({ botToken: '123456789:AAH-rotatedrotatedrotatedrotated01', webhookSecret: first.webhookSecret });
    await expect(h.rotate.execute('t1', id, { botToken: '999999999:AAH-otherbototherbototherbotother01' })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it("points a connected bot's webhook at /webhooks/telegram/<botId> with its generated secret; never for a refused duplicate", async () => {
    const h = newTenancyHarness();
    const token = '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123';
    const { id } = await h.connect.execute({ tenantId: 't1', input: input({ channel: 'telegram', botToken: token }), by: 'api:test' });
    const sealed = await h.envelopes.open<Record<string, string>>(h.accounts.rows.get(id)!.secrets!, accountAad(id));
    expect(h.webhooks.calls).toEqual([{ botToken: token, url: 'https://gw.example.test/webhooks/telegram/123456789', secret: sealed.webhookSecret }]);
    // The same bot for another tenant: 409, and its webhook (the first tenant's) is left alone.
    await expect(h.connect.execute({ tenantId: 't2', input: input({ channel: 'telegram', botToken: token }), by: 'api:test' })).rejects.toMatchObject({ code: 'conflict' });
    expect(h.webhooks.calls).toHaveLength(1);
  });

  it('removes the bot again when Telegram refuses its webhook or cannot be reached: nothing half-connected', async () => {
    const h = newTenancyHarness();
    h.webhooks.fail = new RetryableError('provider_unavailable', 'telegram setWebhook: the Bot API is unreachable');
    await expect(h.connect.execute({ tenantId: 't1', input: input({ channel: 'telegram', botToken: '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123' }), by: 'api:test' }))
      .rejects.toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(h.accounts.rows.size).toBe(0);
    // Connected later, once Telegram answers.
    h.webhooks.fail = undefined;
    await h.connect.execute({ tenantId: 't1', input: input({ channel: 'telegram', botToken: '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123' }), by: 'api:test' });
    expect(h.accounts.rows.size).toBe(1);
  });

  it('connects a bot without setting its webhook when TELEGRAM_WEBHOOK_BASE_URL is unset', async () => {
    const h = newTenancyHarness(undefined, [], {});
    await h.connect.execute({ tenantId: 't1', input: input({ channel: 'telegram', botToken: '123456789:AAH-abcdefghijklmnopqrstuvwxyz0123' }), by: 'api:test' });
    expect([h.accounts.rows.size, h.webhooks.calls.length]).toEqual([1, 0]);
  });

  it('rotates credentials only within the tenant, and never for a web widget', async () => {
    const h = newTenancyHarness();
    const { id } = await h.connect.execute({ tenantId: 't1', input: input(WA), by: 'api:test' });
    await expect(h.rotate.execute('t2', id, { accessToken: 'EAAG-stolen-stolen-stolen-01', appSecret: WA.appSecret })).rejects.toMatchObject({ code: 'not_found' });
    await h.rotate.execute('t1', id, { accessToken: 'EAAG-rotated-token-000000003', appSecret: WA.appSecret });
    await expect(h.envelopes.open(h.accounts.rows.get(id)!.secrets!, accountAad(id))).resolves.toEqual({ accessToken: 'EAAG-rotated-token-000000003', appSecret: WA.appSecret });
    const web = await h.connect.execute({ tenantId: 't1', input: input({ channel: 'web', name: 'Shop', allowedOrigins: ['https://shop.example'] }), by: 'api:test' });
    expect(web).toMatchObject({ publicId: expect.stringMatching(/^w_/), snippet: expect.stringContaining('https://chat.example.test/widget.js') });
    await expect(h.rotate.execute('t1', web.id, {})).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('keeps an email password sealed and the rest of the settings shown', async () => {
    const h = newTenancyHarness();
    const { id } = await h.connect.execute({
      tenantId: 't1', by: 'api:test',
      input: input({ channel: 'email', address: 'Help@Shop.Example', imap: { host: 'imap.shop.example', port: 993, user: 'help', pass: 'imap-password-9' } }),
    });
    const row = h.accounts.rows.get(id)!;
    expect(row).toMatchObject({ externalId: 'help@shop.example', settings: { imap: { host: 'imap.shop.example', port: 993, user: 'help', secure: true } } });
    expect(JSON.stringify(row)).not.toContain('imap-password-9');
  });
});

describe('KEK rotation', () => {
  it('rewraps every account under the new KEK while the old one still opens them, and the ciphertexts stay', async () => {
    const k1 = newKek('k1');
    const before = newTenancyHarness(k1);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await before.connect.execute({ tenantId: 't1', input: input({ ...WA, phoneNumberId: `10000000000012${i}` }), by: 'api:test' })).id);
    }
    const after = newTenancyHarness(newKek('k2'), [k1]);
    for (const [id, row] of before.accounts.rows) after.accounts.rows.set(id, row);
    const data = ids.map((id) => after.accounts.rows.get(id)!.secrets!.data);
    await expect(after.rewrap.run()).resolves.toBe(3);
    for (const [i, id] of ids.entries()) {
      const env = after.accounts.rows.get(id)!.secrets!;
      expect(env.key.kekId).toBe('k2');
      expect(env.data).toBe(data[i]);
      await expect(after.envelopes.open(env, accountAad(id))).resolves.toMatchObject({ accessToken: WA.accessToken });
    }
    await expect(after.rewrap.run()).resolves.toBe(0);
  });
});
