import './instrument';
import { bootstrap } from '@omni/platform';
import { RouterModule } from './router.module';

void bootstrap({ app: 'router', module: RouterModule, defaultPort: 3010 });
