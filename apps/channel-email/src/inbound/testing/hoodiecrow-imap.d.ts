// hoodiecrow-imap (a scriptable IMAP test server) ships no types: the part the specs use.
declare module 'hoodiecrow-imap' {
  import type { Server } from 'node:net';

  interface HoodiecrowOptions {
    plugins?: string[];
    storage?: Record<string, { messages?: { raw: string; flags?: string[] }[] }>;
  }
  interface IMAPServer {
    /** The underlying net.Server. */
    server: Server;
    listen(port: number, host: string, callback: () => void): void;
  }
  function hoodiecrow(options?: HoodiecrowOptions): IMAPServer;
  export = hoodiecrow;
}
