import { Connection, createConnection } from 'mongoose';
import { GraphApiOptions, GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from './apps';
import { mongoUri } from './env';
import { signedMetaWebhook } from './webhooks';

export interface MetaChannelStack {
  graph: GraphApiServer;
  /** The channel app under test. */
  app: RunningApp;
  db: Connection;
}

/**
 * A Meta channel app (channel-whatsapp, channel-messenger) with the built router and ai-worker on the
 * real Kafka and store, and the Graph API contract server playing Meta: what both channels' e2e specs
 * start, and how they post webhooks to it. `start` in `beforeAll`, `stop` in `afterAll`.
 */
export function metaChannelStack(o: {
  /** Topic prefix and database name of this spec. */
  name: string;
  app: 'channel-whatsapp' | 'channel-messenger';
  /** The webhook route, e.g. `/webhooks/whatsapp`. */
  path: string;
  /** The Meta app secret the webhooks are signed with. */
  appSecret: string;
  graph?: GraphApiOptions;
  /** The channel app's own env, given the contract server's URL. */
  env: (graphUrl: string) => Record<string, string>;
}) {
  let started: MetaChannelStack | undefined;
  // What a failed start got to, so that stop() still closes it.
  const parts: { graph?: GraphApiServer; apps: RunningApp[]; db?: Connection } = { apps: [] };
  const post = (body: string, signature?: string, extra: Record<string, string> = {}) => {
    if (!started) throw new Error('metaChannelStack: start() first');
    return fetch(`${started.app.url}${o.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}), ...extra },
      body,
    });
  };
  return {
    /** Posts a raw body, with the given signature header (none: unsigned). */
    post,
    /** Posts a payload signed with the app secret, as Meta does. */
    postSigned: (payload: unknown, extra?: Record<string, string>) => {
      const { body, headers } = signedMetaWebhook(payload, o.appSecret);
      return post(body, headers['x-hub-signature-256'], extra);
    },
    async start(): Promise<MetaChannelStack> {
      const graph = await startGraphApiServer(o.graph);
      parts.graph = graph;
      const env = stackEnv({ prefix: o.name, db: o.name });
      const both = [startApp('router', { ...env, INSTANCE_ID: 'router-1' }), startApp('ai-worker', env)];
      for (const a of both) void a.then((x) => parts.apps.push(x), () => undefined);
      await Promise.all(both);
      // test/support's AppName lists the first apps only; the channel app is started the same way.
      const app = await startApp(o.app as AppName, { ...env, ...o.env(graph.url) });
      parts.apps.push(app);
      const db = await createConnection(mongoUri(o.name)).asPromise();
      parts.db = db;
      started = { graph, app, db };
      return started;
    },
    async stop(): Promise<void> {
      await Promise.all(parts.apps.map((a) => a.stop()));
      await parts.db?.close();
      await parts.graph?.close();
    },
  };
}
