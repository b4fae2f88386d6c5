import './instrument';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { bootstrap } from '@omni/platform';
import { AiWorkerModule } from './ai-worker.module';
import { isTrainingThread, runTrainingThread } from './nlu/trainer';

if (isTrainingThread()) {
  runTrainingThread();
} else {
  void bootstrap({
    app: 'ai-worker',
    module: AiWorkerModule,
    defaultPort: 3020,
    // Tenant datasets are uploaded as one JSON document (Banking77-size: ~1 MB).
    configure: (app) => void (app as NestExpressApplication).useBodyParser('json', { limit: '20mb' }),
  });
}
