import './instrument';
import { bootstrap } from '@omni/platform';
import { ChannelEmailModule } from './channel-email.module';

// HTTP (3004) serves health and metrics; mail arrives over SMTP (EMAIL_SMTP_PORT, see SmtpInboundServer).
void bootstrap({ app: 'channel-email', module: ChannelEmailModule, defaultPort: 3004 });
