import { Module } from '@nestjs/common';
import { PredictionLog } from './prediction-log';
import { TenantModels } from './tenant-models';

/** The tenants' NLU models and the record of their predictions. */
@Module({
  providers: [TenantModels, PredictionLog],
  exports: [TenantModels, PredictionLog],
})
export class NluModule {}
