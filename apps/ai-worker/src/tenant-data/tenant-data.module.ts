import { Module } from '@nestjs/common';
import { NluModule } from '../nlu/nlu.module';
import { AddExamplesUseCase } from './add-examples.use-case';
import { TenantDataController } from './tenant-data.controller';
import { UploadDatasetUseCase } from './upload-dataset.use-case';

/** Tenants' own intents, examples and KB (upload, retrain without restart) and the accuracy report. */
@Module({
  imports: [NluModule],
  controllers: [TenantDataController],
  providers: [UploadDatasetUseCase, AddExamplesUseCase],
  exports: [AddExamplesUseCase],
})
export class TenantDataModule {}
