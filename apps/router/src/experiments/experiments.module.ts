import { Global, Module } from '@nestjs/common';
import { ExperimentsController } from './experiments.controller';
import { FlowExperiments } from './flow-experiments';
import { RecordOutcomes } from './record-outcomes';

@Global()
@Module({ controllers: [ExperimentsController], providers: [FlowExperiments, RecordOutcomes], exports: [FlowExperiments, RecordOutcomes] })
export class ExperimentsModule {}
