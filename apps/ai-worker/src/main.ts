import './instrument';
import { bootstrap } from '@omni/platform';
import { AiWorkerModule } from './ai-worker.module';

void bootstrap({ app: 'ai-worker', module: AiWorkerModule, defaultPort: 3020 });
