import { anEmailConfig } from '../testing';
import { EmailMailboxes } from './email-mailboxes';

const config = anEmailConfig({ EMAIL_ADDRESS: 'support@acme.test', SMTP_HOST: '127.0.0.1', TENANT_ID: 'bootstrap' });

function setup(rows: Record<string, string>, fail = false) {
  const lookups: string[] = [];
  const directory = {
    byExternalId: async (_c: string, a: string) => {
      lookups.push(a);
      if (fail) throw new Error('connection reset');
      return rows[a] ? ({ _id: `ca_${a}`, tenantId: rows[a] } as never) : null;
    },
  };
  return { boxes: new EmailMailboxes(directory, config), lookups };
}

describe('EmailMailboxes', () => {
  it('finds a connected mailbox by its address in any case, the env’s for the bootstrap tenant until stored', async () => {
    const h = setup({ 'sales@globex.test': 'globex', 'support@acme.test': 'acme' });
    await expect(h.boxes.mailbox('Sales@Globex.test')).resolves.toEqual({ tenantId: 'globex', accountId: 'sales@globex.test' });
    await expect(h.boxes.mailbox('support@acme.test')).resolves.toEqual({ tenantId: 'acme', accountId: 'support@acme.test' });
    await expect(setup({}).boxes.mailbox('support@acme.test')).resolves.toEqual({ tenantId: 'bootstrap', accountId: 'support@acme.test' });
    await expect(h.boxes.mailbox('nobody@elsewhere.test')).resolves.toBeUndefined();
  });

  it('caches lookups briefly and reports the store failing as retryable', async () => {
    const h = setup({ 'sales@globex.test': 'globex' });
    await h.boxes.mailbox('sales@globex.test');
    await h.boxes.mailbox('SALES@globex.test');
    await h.boxes.mailbox('nobody@elsewhere.test');
    await h.boxes.mailbox('nobody@elsewhere.test');
    expect(h.lookups).toEqual(['sales@globex.test', 'nobody@elsewhere.test']);
    await expect(setup({}, true).boxes.mailbox('x@y.test')).rejects.toMatchObject({ code: 'store_unavailable', retryable: true });
  });
});
