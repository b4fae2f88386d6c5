import './instrument';
import { NestExpressApplication } from '@nestjs/platform-express';
import { bootstrap } from '@omni/platform';
import { ChannelMessengerModule } from './channel-messenger.module';

void bootstrap({
  app: 'channel-messenger',
  module: ChannelMessengerModule,
  defaultPort: 3002,
  // Meta batches many entries into one POST; the 100 kB default would refuse large batches.
  configure: (app) => void (app as NestExpressApplication).useBodyParser('json', { limit: '3mb' }),
});
