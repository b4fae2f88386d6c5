import { z } from 'zod';
import { DEMO_CONNECTOR_SIGNING_SECRET } from '@omni/contracts';
import { MediaLimitsEnvShape, MediaStoreEnvShape } from '@omni/persistence';
import { InfraEnvSchema, RateLimitEnv, loadConfig } from '@omni/platform';
import { DEMO_SECRETS_KEK, SecretsEnvShape } from '@omni/secrets';

const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().min(1).optional());
const BootstrapAccountsEnvShape = {
  WHATSAPP_PHONE_NUMBER_ID: optionalText, WHATSAPP_ACCESS_TOKEN: optionalText, WHATSAPP_APP_SECRET: optionalText,
  MESSENGER_PAGE_ID: optionalText, MESSENGER_PAGE_ACCESS_TOKEN: optionalText, MESSENGER_APP_SECRET: optionalText,
  TELEGRAM_BOT_TOKEN: optionalText, TELEGRAM_WEBHOOK_SECRET: optionalText,
  EMAIL_ADDRESS: optionalText,
};

/** The channel apps' demo placeholders (their own config fills the same under OMNI_PROFILE=demo/test): published, not secrets. */
const DEMO_ACCOUNTS = {
  WHATSAPP_PHONE_NUMBER_ID: '100000000000001', WHATSAPP_ACCESS_TOKEN: 'demo-access-token', WHATSAPP_APP_SECRET: 'demo-app-secret',
  MESSENGER_PAGE_ID: '100000000000002', MESSENGER_PAGE_ACCESS_TOKEN: 'demo-page-access-token', MESSENGER_APP_SECRET: 'demo-app-secret',
  TELEGRAM_BOT_TOKEN: '1000000001:demo-bot-token-not-real', TELEGRAM_WEBHOOK_SECRET: 'demo-telegram-webhook-secret',
  EMAIL_ADDRESS: 'support@omni.local',
};

const REGION_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const regionName = z.string().regex(REGION_NAME, 'a region name, e.g. local-a or eu-west-1');
const commaList = (v: unknown) => (typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter(Boolean) : v);

/** Paired regions (ADR 0300). Unset: one region, every tenant acts here (today's behaviour). */
const RegionsEnvShape = {
  /** Every region of the deployment, comma-separated (a failover's `to` must be one); default REGION alone. */
  REGIONS: z.preprocess(commaList, z.array(regionName).optional()),
  /**
   * This region's peers and where their routers answer, `name=url` comma-separated (e.g.
   * `local-b=http://127.0.0.1:3110`): their directory copies are pulled (the same call is their
   * health check) and their mirrored topics (`<name>.omni.inbound.v1`, …) consumed.
   */
  REGION_PEERS: z.preprocess(
    (v) => (typeof v === 'string' ? commaList(v) : v),
    z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}=https?:\/\/\S+$/, 'name=url, e.g. local-b=http://127.0.0.1:3110'))
      .optional()
      .transform((l) => (l ?? []).map((e) => ({ name: e.slice(0, e.indexOf('=')), url: e.slice(e.indexOf('=') + 1) }))),
  ),
  /** The bootstrap tenant's pair: its home (default REGION) and standby (unset: no pair, no directory entry). */
  TENANT_HOME_REGION: z.string().regex(REGION_NAME, 'a region name, e.g. local-a or eu-west-1').optional(),
  TENANT_STANDBY_REGION: z.string().regex(REGION_NAME, 'a region name, e.g. local-a or eu-west-1').optional(),
  /** How often each peer is polled (directory and health), and how long one poll may take. */
  REGION_PEER_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  REGION_PEER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(1_500),
  /**
   * A peer not heard since this router started counts as unreachable only from start + this long (it
   * may be starting too): no automatic takeover at boot. One that answered before counts from its first failure.
   */
  REGION_BOOT_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** The standby takes a tenant over once its active peer has been unreachable this long; 0 = only by the operator. */
  REGION_FAILOVER_AFTER_MS: z.coerce.number().int().min(0).default(0),
  /** A router with peers acts for no paired tenant until each peer answered once or failed this many polls. */
  REGION_BOOT_FENCE_POLLS: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * At a switch to this region while the old active peer does not answer (an outage), the takeover waits
   * this long for the send commands MirrorMaker 2 still carries before replaying: the mirrored copy is
   * all there is. A peer that answers is asked instead (REGION_TAKEOVER_CHECK_MS).
   */
  REGION_TAKEOVER_SETTLE_MS: z.coerce.number().int().min(0).max(120_000).default(3_000),
  /** How often each paired tenant active in a peer region has its configuration pulled from there. */
  REGION_CONFIG_SYNC_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
  /**
   * For this long after a switch to this region, a bot reply to a message stored here before the switch
   * is first checked with the previous active region, when it answers (`GET /v1/regions/sends/{id}`):
   * the peer may have answered it already and its mirrored send command may not have arrived yet.
   */
  REGION_TAKEOVER_CHECK_MS: z.coerce.number().int().min(0).max(86_400_000).default(900_000),
};

export const RouterConfigSchema = InfraEnvSchema.extend({
  /** Requests per window per API key and per client address on the REST API (429 with Retry-After past it). */
  ...RateLimitEnv,
  /** How often each replica routes waiting conversations (SLA overflow, agents freeing up); 0 = never. */
  ROUTER_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  /** demo: the bootstrap tenant also gets the published demo people (ADR 0610); never in another profile. */
  OMNI_PROFILE: z.string().default('production'),
  /** Bootstraps an admin key of the default tenant (secret: stored only as its SHA-256, never logged). */
  API_KEY: z.string().min(16, 'API_KEY must be at least 16 characters').optional(),
  ROUTER_GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50051),
  /**
   * TLS of the gRPC API (PEM files): the server's certificate chain and its private key, both or
   * neither; with ROUTER_GRPC_TLS_CA_FILE too, clients must present a certificate that CA signed
   * (mutual TLS). Unset: plaintext, warned about at boot outside the demo and test profiles.
   */
  ROUTER_GRPC_TLS_CERT_FILE: optionalText,
  ROUTER_GRPC_TLS_KEY_FILE: optionalText,
  ROUTER_GRPC_TLS_CA_FILE: optionalText,
  /**
   * Conversations handled at once per partition by each of the router's consumers (inbound messages,
   * AI results, delivery statuses); one conversation's records stay strictly in order (ADR 0008, 0011).
   * 1 handles a partition one record at a time.
   */
  ROUTER_CONVERSATIONS_AT_ONCE: z.coerce.number().int().min(1).max(256).default(32),
  /**
   * The fresh lane of the inbound and AI-result consumers (ADR 0012): while a partition's backlog
   * drains, up to this many records of conversations with nothing waiting in it (a newcomer) are
   * handled as they arrive, each conversation still in order; 0 = off (everything waits its turn).
   */
  /**
   * The conversation's last turns sent with each AI request, for a context-aware answerer; 0 (the
   * default) sends none and saves a query per message: no engine of the AI worker reads them today.
   */
  ROUTER_AI_HISTORY_TURNS: z.coerce.number().int().min(0).max(20).default(0),
  ROUTER_FRESH_LANE_CAPACITY: z.coerce.number().int().min(0).max(256).default(8),
  /**
   * A conversation the bot still owns with no message for this long is resolved by the system, so
   * contained conversations get an outcome (reports, experiments) and a CSAT question; 0 = never.
   */
  ROUTER_IDLE_RESOLVE_AFTER_MS: z.coerce.number().int().min(0).default(30 * 60_000),
  /** The company's connector for automation workflows (orders, tickets, refunds); a tenant may set its own. Unset = no workflows. */
  CONNECTOR_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Per connector call; with 3 attempts a dead connector costs at most about 3 × this before the handoff. */
  CONNECTOR_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3_000),
  /** Shared with the company's connector: every request carries `Omni-Signature` (HMAC-SHA256, ADR 0226); unset = unsigned. */
  CONNECTOR_SIGNING_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * Hosts (`name` or `name:port`, comma-separated) a tenant's connector URL may name although they are
   * or resolve to loopback/private addresses (the SSRF guard, ADR 0220). None by default; the demo and
   * test profiles allow the loopback names their local connectors run on.
   */
  CONNECTOR_ALLOW_HOSTS: z.preprocess(commaList, z.array(z.string().min(1).max(260)).default([])),
  /**
   * The channel apps' media store (ADR 0420), which the router serves to agents, fills with agents'
   * uploads and erases from (ADR 0424): the same MEDIA_STORE (and MEDIA_DIR for disk) as the channel apps.
   */
  ...MediaStoreEnvShape,
  ...MediaLimitsEnvShape,
  /**
   * Agents' stored files go to providers that fetch media by URL (Cloud API, Messenger, Telegram) as
   * signed links to this router: its public base URL, the HMAC secret (secret) and how long a link
   * lives (a provider may fetch late, on its retries). Unset: replies take https URLs only (ADR 0424).
   */
  MEDIA_LINK_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  MEDIA_LINK_SECRET: z.string().min(32, 'MEDIA_LINK_SECRET must be at least 32 characters').optional(),
  MEDIA_LINK_TTL_MS: z.coerce.number().int().min(60_000).max(7 * 24 * 3_600_000).default(24 * 3_600_000),
  /**
   * Retention (ADR 0501): how often each replica runs the purge (0 = never), and the days each kind of
   * personal data is kept unless a tenant's `retention` says otherwise (0 = forever). Customers quiet for
   * RETENTION_CUSTOMERS_DAYS are erased as by a data-subject request; messages older than
   * RETENTION_MESSAGES_DAYS are redacted; attachments' files go after RETENTION_MEDIA_DAYS. The channel
   * apps' stores carry no tenant and follow these values for everyone: email thread facts, web sessions,
   * and the send ledgers (at least 15 days: longer than Kafka keeps a command that could be redelivered).
   */
  RETENTION_PURGE_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  RETENTION_CUSTOMERS_DAYS: z.coerce.number().int().min(0).max(36_500).default(730),
  RETENTION_MESSAGES_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  RETENTION_MEDIA_DAYS: z.coerce.number().int().min(0).max(36_500).default(180),
  RETENTION_PREDICTIONS_DAYS: z.coerce.number().int().min(0).max(36_500).default(180),
  RETENTION_EMAIL_THREADS_DAYS: z.coerce.number().int().min(0).max(36_500).default(365),
  RETENTION_WEB_SESSIONS_DAYS: z.coerce.number().int().min(0).max(36_500).default(90),
  RETENTION_SEND_LEDGER_DAYS: z.coerce.number().int().min(15).max(36_500).default(30),
  /** KEK of the channel accounts' credentials (ADR 0600): required in production, a published one under demo/test. */
  ...SecretsEnvShape,
  /**
   * A connected Telegram bot's webhook (issue 12 #2): the router calls the Bot API's setWebhook at
   * TELEGRAM_API_ROOT with `<TELEGRAM_WEBHOOK_BASE_URL>/webhooks/telegram/<botId>` (channel-telegram's
   * public https base; Telegram calls only https on 443, 80, 88, 8443) and the secret it generated.
   * Unset: bots are connected without setWebhook (a warning; `npm run telegram:set-webhook` by hand).
   */
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_BASE_URL: z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional()),
  TELEGRAM_API_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Where channel-web serves widget.js: the embed snippet of a connected web widget points there. */
  CHANNEL_WEB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  /**
   * Today's single-account env, read by the router too: at first start it becomes the bootstrap
   * tenant's (TENANT_ID) channel accounts, idempotently (ADR 0600). Each account needs all its names.
   */
  ...BootstrapAccountsEnvShape,
  ...RegionsEnvShape,
});
export type RouterConfig = z.output<typeof RouterConfigSchema>;
export const ROUTER_CONFIG = Symbol('RouterConfig');

export function loadRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  // Test stacks start several routers on one machine (and beside a demo stack): an ephemeral gRPC
  // port unless the suite names one. The demo and production keep the documented 50051.
  const source: NodeJS.ProcessEnv = env.OMNI_PROFILE === 'test' && !env.ROUTER_GRPC_PORT ? { ...env, ROUTER_GRPC_PORT: '0' } : { ...env };
  // `npm run up` starts apps/demo-connector on 3030; test stacks name their connector explicitly.
  if (env.OMNI_PROFILE === 'demo' && !env.CONNECTOR_BASE_URL) source.CONNECTOR_BASE_URL = `http://127.0.0.1:${env.DEMO_CONNECTOR_PORT ?? '3030'}`;
  if ((env.OMNI_PROFILE === 'demo' || env.OMNI_PROFILE === 'test') && env.CONNECTOR_ALLOW_HOSTS === undefined) source.CONNECTOR_ALLOW_HOSTS = 'localhost,127.0.0.1,::1';
  if (env.OMNI_PROFILE === 'demo' && !env.CONNECTOR_SIGNING_SECRET) source.CONNECTOR_SIGNING_SECRET = DEMO_CONNECTOR_SIGNING_SECRET;
  // A known key only where harmless defaults are allowed (OMNI_PROFILE demo/test); production has none.
  return loadConfig('router', RouterConfigSchema, { API_KEY: 'omni-demo-admin-key', SECRETS_KEK: DEMO_SECRETS_KEK, ...DEMO_ACCOUNTS }, source);
}
