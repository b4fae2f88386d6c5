import { Global, Module } from '@nestjs/common';
import { HandOffUseCase } from './hand-off.use-case';

@Global()
@Module({ providers: [HandOffUseCase], exports: [HandOffUseCase] })
export class HandoffModule {}
