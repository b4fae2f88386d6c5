import './instrument';
import { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { bootstrap } from '@omni/platform';
import { ChannelWebModule } from './channel-web.module';
import { publicDir } from './public-dir';

void bootstrap({
  app: 'channel-web',
  module: ChannelWebModule,
  defaultPort: 3000,
  configure: (app) => {
    app.useWebSocketAdapter(new WsAdapter(app));
    (app as NestExpressApplication).useStaticAssets(publicDir(), { index: 'index.html', maxAge: '5m' });
  },
});
