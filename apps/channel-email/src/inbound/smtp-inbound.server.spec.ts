import { connect } from 'node:net';
import { createTransport } from 'nodemailer';
import { RetryableError, ValidationError } from '@omni/contracts';
import { EmailConfig } from '../config';
import { anEmailConfig } from '../testing';
import type { ReceiveMailCommand, ReceiveMailUseCase } from './receive-mail.use-case';
import { SmtpInboundServer } from './smtp-inbound.server';
import { EmailMailboxes } from '../accounts/email-mailboxes';
import { registry } from '@omni/telemetry';

const unknownCount = async () =>
  (await registry.getSingleMetric('omni_webhook_unknown_account_items_total')?.get())?.values.find((v) => v.labels.channel === 'email')?.value ?? 0;

type Outcome = 'ok' | 'kafka-down' | 'malformed';

async function start(env: Record<string, string> = {}) {
  const config: EmailConfig = anEmailConfig({ EMAIL_ADDRESS: 'support@acme.test', SMTP_HOST: '127.0.0.1', EMAIL_SMTP_PORT: '0', EMAIL_SMTP_HOST: '127.0.0.1', EMAIL_MAX_MESSAGE_BYTES: '4096', ...env });
  const received: ReceiveMailCommand[] = [];
  const state = { outcome: 'ok' as Outcome };
  const useCase = {
    execute: async (cmd: ReceiveMailCommand) => {
      if (state.outcome === 'kafka-down') throw new RetryableError('publish_failed', 'mail not stored: broker down');
      if (state.outcome === 'malformed') throw new ValidationError('mail has no From address');
      received.push(cmd);
      return { messages: 1, statuses: 0, ignored: 0 };
    },
  } as unknown as ReceiveMailUseCase;
  // One mailbox connected through the API beside the env's (support@acme.test).
  const directory = { byExternalId: async (_c: string, a: string) => (a === 'help@globex.test' ? ({ _id: 'ca_1', tenantId: 'globex' } as never) : null) };
  const server = new SmtpInboundServer(config, useCase, new EmailMailboxes(directory, config));
  await server.onApplicationBootstrap();
  const client = (auth?: { user: string; pass: string }) =>
    createTransport({ host: '127.0.0.1', port: server.port(), secure: false, ignoreTLS: true, ...(auth ? { auth } : {}) });
  const mail = { from: 'ana.souza@example.com', to: 'support@acme.test', subject: 'Order 4521', text: 'hello', messageId: '<m1@example.com>' };
  return { server, client, received, state, mail };
}

describe('SmtpInboundServer with a real SMTP client', () => {
  it('answers 250 only once the mail is stored, with the envelope passed on', async () => {
    const { server, client, received, mail } = await start();
    const info = await client().sendMail(mail);
    expect(info.response).toMatch(/^250/);
    expect(received[0]).toMatchObject({ mailFrom: 'ana.souza@example.com', rcptTo: ['support@acme.test'] });
    expect(received[0].raw.toString()).toContain('Message-ID: <m1@example.com>');
    await server.onApplicationShutdown();
  });

  it('answers 451 when Kafka is down (the sender retries) and 554 for mail that can never be decoded', async () => {
    const { server, client, state, mail } = await start();
    state.outcome = 'kafka-down';
    await expect(client().sendMail(mail)).rejects.toMatchObject({ responseCode: 451 });
    state.outcome = 'malformed';
    await expect(client().sendMail(mail)).rejects.toMatchObject({ responseCode: 554 });
    await server.onApplicationShutdown();
  });

  it('accepts mail for a mailbox connected through the API', async () => {
    const { server, client, received, mail } = await start();
    expect((await client().sendMail({ ...mail, to: 'Help@globex.test' })).response).toMatch(/^250/);
    expect(received[0].rcptTo).toEqual(['Help@globex.test']);
    await server.onApplicationShutdown();
  });

  it('is not an open relay and refuses oversized mail with 552', async () => {
    const { server, client, received, mail } = await start();
    const before = await unknownCount();
    await expect(client().sendMail({ ...mail, to: 'someone@elsewhere.example' })).rejects.toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    expect(await unknownCount()).toBe(before + 1);
    await expect(client().sendMail({ ...mail, text: 'x'.repeat(8_000) })).rejects.toMatchObject({ responseCode: 552 });
    expect(received).toHaveLength(0);
    await server.onApplicationShutdown();
  });

  it('requires AUTH when configured and accepts only the right credentials', async () => {
    const { server, client, received, mail } = await start({ EMAIL_SMTP_AUTH_USER: 'mta', EMAIL_SMTP_AUTH_PASS: 'inbound-secret' });
    await expect(client().sendMail(mail)).rejects.toMatchObject({ responseCode: 530 });
    await expect(client({ user: 'mta', pass: 'wrong-secret' }).sendMail(mail)).rejects.toMatchObject({ code: 'EAUTH' });
    expect((await client({ user: 'mta', pass: 'inbound-secret' }).sendMail(mail)).response).toMatch(/^250/);
    expect(received).toHaveLength(1);
    await server.onApplicationShutdown();
  });

  it('caps connections from one address (421) and frees the place when one closes', async () => {
    const { server } = await start({ EMAIL_SMTP_MAX_CLIENTS_PER_IP: '2' });
    const greeting = () => new Promise<{ line: string; close: () => Promise<void> }>((resolve, reject) => {
      const socket = connect(server.port() ?? 0, '127.0.0.1');
      socket.once('error', reject);
      socket.once('data', (b) => resolve({
        line: b.toString(),
        close: () => new Promise<void>((r) => { socket.once('close', () => r()); socket.end('QUIT\r\n'); }),
      }));
    });
    const first = await greeting();
    const second = await greeting();
    const third = await greeting();
    expect([first.line, second.line].every((l) => l.startsWith('220'))).toBe(true);
    expect(third.line).toMatch(/^421 /);
    await third.close();
    await first.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await greeting();
    expect(again.line).toMatch(/^220/);
    await Promise.all([second.close(), again.close()]);
    await server.onApplicationShutdown();
  });
});
