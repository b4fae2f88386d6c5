import type { AddressInfo, Socket } from 'node:net';
import hoodiecrow from 'hoodiecrow-imap';

/**
 * A local IMAP server for tests (hoodiecrow: in memory, user testuser/testpass) with the extensions
 * imapflow uses, IDLE included, on a free port.
 */
export async function freeImapServer(inbox: string[] = []): Promise<{ port: number; close(): Promise<void> }> {
  const server = hoodiecrow({
    plugins: ['IDLE', 'UIDPLUS', 'ENABLE', 'LITERALPLUS', 'UNSELECT', 'SASL-IR', 'ID'],
    storage: { INBOX: { messages: inbox.map((raw) => ({ raw, flags: [] })) } },
  });
  // Clients idle on their connections: close() ends them, or the server would wait for them forever.
  const sockets = new Set<Socket>();
  server.server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.server.close(() => resolve());
      }),
  };
}
