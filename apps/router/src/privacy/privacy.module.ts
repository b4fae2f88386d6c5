import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { PrivacyController } from './privacy.controller';

@Module({ imports: [ApiModule], controllers: [PrivacyController] })
export class PrivacyModule {}
