import './instrument';
import { bootstrap } from '@omni/platform';
import { ChannelTelegramModule } from './channel-telegram.module';

void bootstrap({ app: 'channel-telegram', module: ChannelTelegramModule, defaultPort: 3003 });
