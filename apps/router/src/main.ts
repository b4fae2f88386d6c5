import './instrument';
import { bootstrap } from '@omni/platform';
import { serveOpenApi } from './api/openapi';
import { RouterModule } from './router.module';

void bootstrap({ app: 'router', module: RouterModule, defaultPort: 3010, configure: serveOpenApi });
