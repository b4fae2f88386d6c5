import { GraphApiServer, startGraphApiServer } from '../contract-servers/graph-api';
import { AppName, RunningApp, startApp, stackEnv } from './apps';

/** The env account of a single-account WhatsApp stack (the bootstrap tenant's number). */
export interface WhatsAppAccount {
  operatorKey: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
}

export interface WhatsAppStack {
  graph: GraphApiServer;
  router: RunningApp;
  ai: RunningApp;
  wa: RunningApp;
  /** Stops the apps and the Graph contract server. */
  stop(): Promise<void>;
}

/**
 * The Graph API contract server and the built router (dispatching every second), AI worker and
 * channel-whatsapp on one database and topic prefix, with the env account as the bootstrap tenant's.
 */
export async function startWhatsAppStack(name: string, account: WhatsAppAccount): Promise<WhatsAppStack> {
  const graph = await startGraphApiServer({ accessToken: account.accessToken });
  const env = {
    ...stackEnv({ prefix: name, db: name }), API_KEY: account.operatorKey,
    WHATSAPP_APP_SECRET: account.appSecret, WHATSAPP_ACCESS_TOKEN: account.accessToken, WHATSAPP_VERIFY_TOKEN: 'e2e-verify-token',
    WHATSAPP_PHONE_NUMBER_ID: account.phoneNumberId, WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_API_VERSION: 'v23.0',
  };
  const [router, ai, wa] = await Promise.all([
    startApp('router', { ...env, INSTANCE_ID: 'router-1', ROUTER_DISPATCH_INTERVAL_MS: '1000' }), startApp('ai-worker', env), startApp('channel-whatsapp' as AppName, env),
  ]);
  return {
    graph, router, ai, wa,
    stop: async () => {
      await Promise.all([router, ai, wa].map((a) => a.stop()));
      await graph.close();
    },
  };
}
