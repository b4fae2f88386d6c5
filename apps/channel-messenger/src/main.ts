import './instrument';
import { bootstrap, keepJsonBodiesRaw } from '@omni/platform';
import { ChannelMessengerModule } from './channel-messenger.module';

void bootstrap({
  app: 'channel-messenger',
  module: ChannelMessengerModule,
  defaultPort: 3002,
  // Webhook receiver: Fastify, bodies verified then parsed once (ADR 0009).
  http: 'fastify',
  // Meta batches many entries into one POST; a 100 kB limit would refuse large batches.
  configure: (app) => keepJsonBodiesRaw(app, 3 * 1024 * 1024),
});
