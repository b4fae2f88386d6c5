import { Module } from '@nestjs/common';
import { ApiModule } from '../api/api.module';
import { IdleResolver } from './idle-resolver';

@Module({ imports: [ApiModule], providers: [IdleResolver] })
export class LifecycleModule {}
