// A counting TCP proxy in front of FerretDB for `npm run bench` (conversation section): every
// connection is piped to the database unchanged, and each OP_MSG the clients send is counted by its
// command name (the first key of its body section: insert, update, findAndModify, find, …), so the
// bench can read how many database writes a message cost the gateway and give its raw-driver floor
// the same number. Not compressed wire traffic (the apps do not enable compression).
// Each reply is matched to its request (responseTo), so the proxy also tells how long the store took
// per command, as the apps see it minus the loopback hop.
// Env: COUNTER_PORT (listen), COUNTER_STATS_PORT (GET / → {"insert":n,…}; GET /by-collection →
// {"find messages":n,…}; GET /latency → {"find messages":{"n":…,"totalMs":…,"maxMs":…},…}),
// COUNTER_TARGET (host:port).
import { createServer, connect } from 'node:net';
import { createServer as createHttpServer } from 'node:http';

const [host, port] = process.env.COUNTER_TARGET.split(':');
const counts = {};
const byCollection = {};
/** Per "command collection": replies seen, total and largest time from request to reply. */
const latency = {};
const OP_MSG = 2013;

/** The command name (and collection) of one complete wire message, or undefined (handshake OP_QUERY, …). */
function commandOf(msg) {
  if (msg.readInt32LE(12) !== OP_MSG) return undefined;
  let at = 20; // header (16) + flagBits (4)
  while (at < msg.length) {
    const kind = msg[at];
    if (kind === 0) {
      // BSON document: int32 size, then the first element: type byte, cstring name.
      const type = msg[at + 1 + 4];
      const nameStart = at + 1 + 4 + 1;
      const nameEnd = msg.indexOf(0, nameStart);
      const name = msg.toString('latin1', nameStart, nameEnd);
      // A string value (0x02: int32 length with the NUL, then the bytes) names the collection.
      if (type !== 2) return { name };
      const len = msg.readInt32LE(nameEnd + 1);
      return { name, collection: msg.toString('utf8', nameEnd + 5, nameEnd + 5 + len - 1) };
    }
    at += 1 + msg.readInt32LE(at + 1); // kind 1: document sequence, skip it
  }
  return undefined;
}

const server = createServer((client) => {
  const upstream = connect(Number(port), host);
  let pending = Buffer.alloc(0);
  let replies = Buffer.alloc(0);
  /** requestID → [key, start] of this connection's requests awaiting their reply. */
  const waiting = new Map();
  client.on('data', (chunk) => {
    upstream.write(chunk);
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 16) {
      const len = pending.readInt32LE(0);
      if (pending.length < len) break;
      const command = commandOf(pending.subarray(0, len));
      if (command) {
        counts[command.name] = (counts[command.name] ?? 0) + 1;
        if (command.collection) byCollection[`${command.name} ${command.collection}`] = (byCollection[`${command.name} ${command.collection}`] ?? 0) + 1;
        waiting.set(pending.readInt32LE(4), [command.collection ? `${command.name} ${command.collection}` : command.name, process.hrtime.bigint()]);
      }
      pending = pending.subarray(len);
    }
  });
  upstream.on('data', (chunk) => {
    client.write(chunk);
    replies = replies.length ? Buffer.concat([replies, chunk]) : chunk;
    while (replies.length >= 16) {
      const len = replies.readInt32LE(0);
      if (replies.length < len) break;
      const asked = waiting.get(replies.readInt32LE(8));
      if (asked) {
        waiting.delete(replies.readInt32LE(8));
        const tookMs = Number(process.hrtime.bigint() - asked[1]) / 1e6;
        const l = (latency[asked[0]] ??= { n: 0, totalMs: 0, maxMs: 0 });
        l.n += 1;
        l.totalMs += tookMs;
        l.maxMs = Math.max(l.maxMs, tookMs);
      }
      replies = replies.subarray(len);
    }
  });
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).on('close', close);
  upstream.on('error', close).on('close', close);
});

const stats = createHttpServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  if (_req.url === '/latency') {
    res.end(JSON.stringify(latency));
    return;
  }
  res.end(JSON.stringify(_req.url === '/by-collection' ? byCollection : counts));
});

server.listen(Number(process.env.COUNTER_PORT), '127.0.0.1', () =>
  stats.listen(Number(process.env.COUNTER_STATS_PORT), '127.0.0.1', () => process.stdout.write('ready\n')),
);
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => process.exit(0));
