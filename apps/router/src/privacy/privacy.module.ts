import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { EraseCustomerUseCase } from './erase-customer.use-case';
import { PrivacyController } from './privacy.controller';
import { PurgeExpiredDataUseCase } from './purge-expired-data.use-case';
import { RetentionScheduler } from './retention-scheduler';

@Module({ imports: [MediaModule], controllers: [PrivacyController], providers: [EraseCustomerUseCase, PurgeExpiredDataUseCase, RetentionScheduler] })
export class PrivacyModule {}
