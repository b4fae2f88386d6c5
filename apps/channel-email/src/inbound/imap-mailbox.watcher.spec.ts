import { ImapFlow } from 'imapflow';
import { RetryableError } from '@omni/contracts';
import { anEmailConfig } from '../testing';
import { INGESTED, ImapMailboxWatcher } from './imap-mailbox.watcher';
import type { ReceiveMailCommand, ReceiveMailUseCase } from './receive-mail.use-case';
import { freeImapServer } from './testing/imap-server';

const mail = (n: number) => `From: ana.souza@example.com\r\nTo: support@acme.test\r\nSubject: mail ${n}\r\nMessage-ID: <imap-${n}@example.com>\r\n\r\nhello ${n}\r\n`;

describe('ImapMailboxWatcher against an IMAP server', () => {
  it('ingests waiting mail, then mail pushed by IDLE, marking each only after it was stored', async () => {
    const imap = await freeImapServer([mail(1)]);
    const received: ReceiveMailCommand[] = [];
    let kafkaDown = false;
    const useCase = {
      execute: async (cmd: ReceiveMailCommand) => {
        if (kafkaDown) throw new RetryableError('publish_failed', 'broker down');
        received.push(cmd);
        return { messages: 1, statuses: 0, ignored: 0 };
      },
    } as unknown as ReceiveMailUseCase;
    const config = anEmailConfig({
      EMAIL_ADDRESS: 'support@acme.test', SMTP_HOST: '127.0.0.1',
      EMAIL_IMAP_HOST: '127.0.0.1', EMAIL_IMAP_PORT: String(imap.port), EMAIL_IMAP_SECURE: 'false', EMAIL_IMAP_USER: 'testuser', EMAIL_IMAP_PASS: 'testpass',
    });
    const watcher = new ImapMailboxWatcher(config, useCase);
    const other = new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: false, auth: { user: 'testuser', pass: 'testpass' }, logger: false });
    const until = async (what: string, ok: () => boolean | Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 50));
      if (!(await ok())) throw new Error(`timed out waiting for ${what}`);
    };
    const marked = async () => {
      const lock = await other.getMailboxLock('INBOX');
      try {
        return (await other.search({ keyword: INGESTED }, { uid: true })) || [];
      } finally {
        lock.release();
      }
    };
    try {
      watcher.onApplicationBootstrap();
      await until('the waiting mail', () => received.length === 1);
      expect(received[0].raw.toString()).toContain('Message-ID: <imap-1@example.com>');
      expect(received[0]).toMatchObject({ rcptTo: ['support@acme.test'] });
      expect(received[0].mailFrom).toBeUndefined();
      await other.connect();
      await until('the first mail marked', async () => (await marked()).length === 1);

      kafkaDown = true;
      await other.append('INBOX', mail(2), []);
      await new Promise((r) => setTimeout(r, 500));
      expect(await marked()).toHaveLength(1); // not stored, so not marked
      kafkaDown = false;
      await until('the second mail after the retry', () => received.length === 2);
      expect(received[1].raw.toString()).toContain('<imap-2@example.com>');
      await until('both marked', async () => (await marked()).length === 2);
    } finally {
      await watcher.onApplicationShutdown();
      await other.logout().catch(() => undefined);
      await imap.close();
    }
  }, 20_000);
});
