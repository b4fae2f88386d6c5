import type { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** The relay the gateway sends through: records every mail and can refuse the next N DATA with an SMTP code. */
export async function startSmtpSink() {
  const mails: { parsed: ParsedMail; rcptTo: string[] }[] = [];
  const attempts: { rcptTo: string[]; code: number }[] = [];
  const faults: number[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, cb) {
      const rcptTo = session.envelope.rcptTo.map((r) => r.address);
      simpleParser(stream).then((parsed) => {
        const fault = faults.shift();
        attempts.push({ rcptTo, code: fault ?? 250 });
        if (fault) return cb(Object.assign(new Error(`${fault} injected`), { responseCode: fault }));
        mails.push({ parsed, rcptTo });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails, attempts,
    refuseNext: (code: number, times = 1) => faults.push(...Array<number>(times).fill(code)),
    to: (addr: string) => mails.filter((m) => m.rcptTo.includes(addr)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
