import { Module } from '@nestjs/common';
import { OutcomesConsumer } from './outcomes.consumer';
import { RecordOutcomeUseCase } from './record-outcome.use-case';

/** The optimization loop's other half: what became of each prediction (ADR 0104). */
@Module({ providers: [RecordOutcomeUseCase, OutcomesConsumer] })
export class OutcomesModule {}
