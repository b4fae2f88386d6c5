import { Module } from '@nestjs/common';
import { IdleResolver } from './idle-resolver';

@Module({ providers: [IdleResolver] })
export class LifecycleModule {}
