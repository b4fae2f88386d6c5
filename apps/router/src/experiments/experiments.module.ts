import { Global, Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { ExperimentsController } from './experiments.controller';
import { FlowExperiments } from './flow-experiments';
import { RecordOutcomes } from './record-outcomes';

@Global()
@Module({ imports: [ApiModule], controllers: [ExperimentsController], providers: [FlowExperiments, RecordOutcomes], exports: [FlowExperiments, RecordOutcomes] })
export class ExperimentsModule {}
