import { Module } from '@nestjs/common';
import { NluModule } from '../nlu/nlu.module';
import { TenantDataModule } from '../tenant-data/tenant-data.module';
import { OutcomesConsumer } from './outcomes.consumer';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

/** The optimization loop's other half: what became of each prediction (ADR 0104). */
@Module({ imports: [NluModule, TenantDataModule], providers: [RecordOutcomeUseCase, OutcomesConsumer] })
export class OutcomesModule {}
