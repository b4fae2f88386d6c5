import { Module } from '@nestjs/common';
import { MediaModule } from '../media/media.module';
import { EraseCustomerUseCase } from './erase-customer.use-case';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [MediaModule], controllers: [PrivacyController], providers: [EraseCustomerUseCase] })
export class PrivacyModule {}
