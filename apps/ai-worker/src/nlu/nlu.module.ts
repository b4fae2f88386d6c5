import { Module } from '@nestjs/common';
import { PredictionLog } from './prediction-log';
import { MODEL_TRAINER, TenantModels } from './tenant-models';
import { defaultTrainer } from './trainer';

/** The tenants' NLU models and the record of their predictions. */
@Module({
  providers: [TenantModels, PredictionLog, { provide: MODEL_TRAINER, useFactory: () => defaultTrainer() }],
  exports: [TenantModels, PredictionLog],
})
export class NluModule {}
