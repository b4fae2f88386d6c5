import './instrument';
import { bootstrap, keepJsonBodiesRaw } from '@omni/platform';
import { ChannelTelegramModule } from './channel-telegram.module';

void bootstrap({
  app: 'channel-telegram',
  module: ChannelTelegramModule,
  defaultPort: 3003,
  // Webhook receiver: Fastify, bodies verified then parsed once (ADR 0009). One update per POST:
  // the 100 kB Express default it had is kept.
  http: 'fastify',
  configure: (app) => keepJsonBodiesRaw(app, 100 * 1024),
});
