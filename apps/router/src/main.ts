import './instrument';
import type { INestApplication } from '@nestjs/common';
import { bootstrap } from '@omni/platform';
import { serveOpenApi } from './api/openapi';
import { serveGrpc } from './grpc/grpc-server';
import { RouterModule } from './router.module';

async function configure(app: INestApplication): Promise<void> {
  serveOpenApi(app);
  await serveGrpc(app);
}

void bootstrap({ app: 'router', module: RouterModule, defaultPort: 3010, configure });
