import './instrument';
import { NestExpressApplication } from '@nestjs/platform-express';
import { bootstrap } from '@omni/platform';
import { ChannelWhatsAppModule } from './channel-whatsapp.module';

void bootstrap({
  app: 'channel-whatsapp',
  module: ChannelWhatsAppModule,
  defaultPort: 3001,
  // Meta batches many entries into one POST; the 100 kB default would refuse large batches.
  configure: (app) => void (app as NestExpressApplication).useBodyParser('json', { limit: '3mb' }),
});
