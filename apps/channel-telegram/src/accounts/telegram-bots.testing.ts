import { newTestEnvelopes } from '@omni/secrets';
import { type ChannelAccountDoc, channelAccountAad } from '@omni/persistence';
import type { TelegramConfig } from '../config';
import { type BotApiFactory, TelegramBots } from './telegram-bots';

/** The test factory of this app's specs: TelegramBots over an in-memory channel_accounts, sealed as the router seals. */
export function memoryTelegramBots(config: TelegramConfig, clientFor: BotApiFactory) {
  const { envelopes } = newTestEnvelopes();
  const rows = new Map<string, ChannelAccountDoc>();
  const lookups: string[] = [];
  const directory = { byExternalId: async (_channel: string, id: string) => (lookups.push(id), rows.get(id) ?? null) };
  const connect = async (botToken: string, tenantId: string, webhookSecret: string) => {
    const botId = botToken.split(':')[0];
    const _id = `ca_${botId}`;
    const secrets = await envelopes.seal({ botToken, webhookSecret }, channelAccountAad(_id));
    rows.set(botId, { _id, tenantId, channel: 'telegram', externalId: botId, settings: {}, secrets, createdBy: 'test', createdAt: new Date(), updatedAt: new Date() });
  };
  return { bots: new TelegramBots(directory, envelopes, config, clientFor), connect, lookups };
}
