import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { AppName, RunningApp, freePort, startApp, stackEnv } from '../support/apps';
import { uniqueName, waitFor } from '../support/env';
import { apiCall, onboardTenant } from '../support/tenancy';

const OPERATOR_KEY = `operator-${randomBytes(16).toString('hex')}`;
const KEK = `k1:${randomBytes(32).toString('base64')}`;

/** The relay the gateway sends through: records every mail with its envelope. */
async function startSmtpSink() {
  const mails: { parsed: ParsedMail; mailFrom: string; rcptTo: string[] }[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      simpleParser(stream).then((parsed) => (mails.push({ parsed, mailFrom, rcptTo }), cb()), cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.server.address() as AddressInfo).port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * Mailboxes connected through the router's API, one per tenant, share one channel-email: a mail to
 * each mailbox reaches that mailbox's tenant, a mail to an address nobody connected is refused at
 * RCPT TO (550) and counted, and each agent reply leaves from its conversation's mailbox.
 */
describe('Email routed by connected mailbox', () => {
  const name = uniqueName('tenancy-mail');
  let router: RunningApp;
  let email: RunningApp;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let smtpPort: number;
  const boxes = { acme: 'support@acme.test', globex: 'help@globex.test' };
  const customers = { acme: 'ana@example.com', globex: 'bo@example.com' };
  const keys: Record<string, string> = {};
  const call = (method: string, path: string, key: string, body?: unknown) => apiCall(router.url, method, path, key, body);
  const smtp = () => createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });

  beforeAll(async () => {
    sink = await startSmtpSink();
    smtpPort = await freePort();
    const env = { ...stackEnv({ prefix: name, db: name }), SECRETS_KEK: KEK, API_KEY: OPERATOR_KEY };
    router = await startApp('router', { ...env, ROUTER_DISPATCH_INTERVAL_MS: '0' });
    email = await startApp('channel-email' as AppName, {
      ...env, EMAIL_SMTP_PORT: String(smtpPort), EMAIL_SMTP_HOST: '127.0.0.1', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port), SMTP_SECURE: 'false',
    });
    for (const tenant of ['acme', 'globex'] as const) {
      keys[tenant] = await onboardTenant(router.url, OPERATOR_KEY, tenant);
      expect((await call('POST', `/v1/tenants/${tenant}/channel-accounts`, keys[tenant], { channel: 'email', address: boxes[tenant] })).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await email?.stop();
    await router?.stop();
    await sink?.close();
  });

  it('delivers each mailbox’s mail to its tenant and refuses an address nobody connected at RCPT TO', async () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const info = await smtp().sendMail({ from: customers[tenant], to: boxes[tenant], subject: `Order for ${tenant}`, text: `hello ${tenant}`, messageId: `<${randomBytes(8).toString('hex')}@example.com>` });
      expect(info.response).toMatch(/^250/);
    }
    for (const tenant of ['acme', 'globex'] as const) {
      const convs = await waitFor(`${tenant}'s conversation`, async () => {
        const list = (await call('GET', '/v1/conversations?channel=email', keys[tenant])).json as { accountId: string; channelUserId: string; tenantId: string }[];
        return list.length >= 1 ? list : undefined;
      }, 30_000, 250);
      expect(convs.map((c) => [c.tenantId, c.accountId, c.channelUserId])).toEqual([[tenant, boxes[tenant], customers[tenant]]]);
    }
    await expect(smtp().sendMail({ from: 'x@example.com', to: 'nobody@initech.test', subject: 's', text: 't' })).rejects.toMatchObject({ responseCode: 550 });
    expect(await (await fetch(`${email.adminUrl}/metrics`)).text()).toMatch(/omni_webhook_unknown_account_items_total\{[^}]*channel="email"[^}]*\} 1\b/);
  });

  it('sends each agent reply from its conversation’s mailbox', async () => {
    for (const tenant of ['acme', 'globex'] as const) {
      const agentId = `${tenant}-ana`;
      expect((await call('PUT', `/v1/agents/${agentId}`, keys[tenant], { name: 'Ana', maxConcurrent: 10, presence: 'online' })).status).toBe(200);
      const [conv] = (await call('GET', '/v1/conversations?channel=email', keys[tenant])).json as { _id: string }[];
      expect((await call('POST', `/v1/conversations/${conv._id}/assign`, keys[tenant], { agentId })).status).toBe(201);
      expect((await call('POST', `/v1/conversations/${conv._id}/messages`, keys[tenant], { agentId, text: `reply from ${tenant}` })).status).toBe(201);
    }
    const replies = await waitFor('both agent replies at the relay', async () => {
      const got = sink.mails.filter((m) => (m.parsed.text ?? '').includes('reply from '));
      return got.length >= 2 ? got : undefined;
    }, 30_000, 250);
    expect(replies.map((m) => [m.rcptTo.join(','), m.parsed.from?.value[0]?.address, (m.parsed.text ?? '').trim().split('\n')[0]]).sort()).toEqual([
      [customers.acme, boxes.acme, 'reply from acme'],
      [customers.globex, boxes.globex, 'reply from globex'],
    ].sort());
  });
});
