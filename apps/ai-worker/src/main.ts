import './instrument';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OmniError } from '@omni/contracts';
import { ApiKeys } from '@omni/auth';
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
    configure: (app) => {
      const http = app as NestExpressApplication;
      const keys = app.get(ApiKeys);
      // The API's bodies are read only for a known key: a stranger's 20 MB upload is refused before a
      // byte of it is parsed (the role is checked by the route's guard, as before).
      http.use('/v1', (req: Request, res: Response, next: NextFunction) => {
        keys.resolve(req.headers.authorization).then(() => next(), (err: unknown) => {
          const known = err instanceof OmniError && err.code === 'unauthorized';
          res.status(known ? 401 : 503).json({ error: known ? 'unauthorized' : 'unavailable', reason: known ? (err as Error).message : 'cannot check the API key now' });
        });
      });
      // Tenant datasets are uploaded as one JSON document (Banking77-size: ~1 MB).
      http.useBodyParser('json', { limit: '20mb' });
    },
  });
}
